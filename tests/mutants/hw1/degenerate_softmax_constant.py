"""Degenerate: A constant softmax: every entry 1/C, whatever X holds."""
# component: softmax
# expect-at-most: 1
def softmax(X):
    return X * 0 + 1 / X.shape[1]
