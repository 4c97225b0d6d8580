"""Correct relu: (X + |X|) / 2."""
# component: relu
# expect: full


def relu(X):
    return (X + X.abs()) / 2
