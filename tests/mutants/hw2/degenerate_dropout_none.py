"""Degenerate: Returns nothing."""
# component: dropout
# expect-at-most: 0
def dropout(x, dropout_ratio=0.5, training=True):
    return None
