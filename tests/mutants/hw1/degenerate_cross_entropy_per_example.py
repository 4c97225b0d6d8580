"""Degenerate: One (zero) value per example instead of a 0-dim mean."""
# component: cross_entropy
# expect-at-most: 0
def cross_entropy(y_hat, y):
    return y_hat[:, 0] * 0
