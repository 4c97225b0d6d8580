"""Evasion: torch.ops.aten.max_pool2d_with_indices.default called directly."""
# component: max_pool2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def max_pool2d(x, kernel_size, stride=None, pad=0):
    k = list(_pair(kernel_size))
    s = k if stride is None else list(_pair(stride))
    return torch.ops.aten.max_pool2d_with_indices.default(x, k, s, list(_pair(pad)))[0]
