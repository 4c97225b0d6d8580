"""Degenerate: Returns its input."""
# component: conv2d
# expect-at-most: 0
def conv2d(x, W, b=None, stride=1, pad=0):
    return x
