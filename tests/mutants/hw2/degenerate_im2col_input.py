"""Degenerate: Returns its input."""
# component: im2col
# expect-at-most: 0
def im2col(x, kernel_size, stride=1, pad=0):
    return x
