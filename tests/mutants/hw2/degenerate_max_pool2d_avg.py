"""Degenerate: average pooling (F.avg_pool2d) instead of max."""
# component: max_pool2d
# expect-at-most: 1
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    return F.avg_pool2d(x, kernel_size, stride, pad)
