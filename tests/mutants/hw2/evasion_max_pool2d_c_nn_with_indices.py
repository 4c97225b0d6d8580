"""Evasion: torch._C._nn.max_pool2d_with_indices."""
# component: max_pool2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def max_pool2d(x, kernel_size, stride=None, pad=0):
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    return torch._C._nn.max_pool2d_with_indices(x, k, s, _pair(pad))[0]
