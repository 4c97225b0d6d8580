"""Degenerate: Returns its input."""
# component: relu
# expect-at-most: 1
def relu(X):
    return X.clone()
