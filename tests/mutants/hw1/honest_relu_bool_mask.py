"""Correct relu: X times its boolean mask."""
# component: relu
# expect: full


def relu(X):
    return X * (X > 0)
