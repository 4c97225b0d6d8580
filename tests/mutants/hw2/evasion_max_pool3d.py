"""Evasion: F.max_pool3d on a depth-1 volume."""
# component: max_pool2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    k, p = _pair(kernel_size), _pair(pad)
    s = k if stride is None else _pair(stride)
    return F.max_pool3d(x[:, :, None], (1, *k), (1, *s), (0, *p))[:, :, 0]
