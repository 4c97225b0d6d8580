"""Evasion: torch._C._nn.im2col (the binding below F.unfold)."""
# component: im2col
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def im2col(x, kernel_size, stride=1, pad=0):
    k, s, p = _pair(kernel_size), _pair(stride), _pair(pad)
    cols = torch._C._nn.im2col(x, k, (1, 1), p, s)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])
