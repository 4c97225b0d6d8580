"""Degenerate: A zero loss still connected to y_hat."""
# component: cross_entropy
# expect-at-most: 1
def cross_entropy(y_hat, y):
    return y_hat.sum() * 0
