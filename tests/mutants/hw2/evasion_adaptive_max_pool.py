"""Evasion: torch._C._nn.adaptive_max_pool2d on non-overlapping windows."""
# component: max_pool2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def max_pool2d(x, kernel_size, stride=None, pad=0):
    (kh, kw) = _pair(kernel_size)
    H, W = x.shape[2] // kh * kh, x.shape[3] // kw * kw
    return torch._C._nn.adaptive_max_pool2d(x[:, :, :H, :W], (H // kh, W // kw))[0]
