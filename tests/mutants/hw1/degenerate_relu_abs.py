"""Degenerate: |X| instead of max(X, 0)."""
# component: relu
# expect-at-most: 1
def relu(X):
    return X.abs()
