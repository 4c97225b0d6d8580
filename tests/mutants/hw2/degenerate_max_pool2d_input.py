"""Degenerate: Returns its input."""
# component: max_pool2d
# expect-at-most: 0
def max_pool2d(x, kernel_size, stride=None, pad=0):
    return x
