"""Degenerate: Returns its input."""
# component: softmax
# expect-at-most: 1
def softmax(X):
    return X.clone()
