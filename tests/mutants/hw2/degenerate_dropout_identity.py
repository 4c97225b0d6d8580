"""Degenerate: Never drops anything."""
# component: dropout
# expect-at-most: 1
def dropout(x, dropout_ratio=0.5, training=True):
    return x
