"""Degenerate: each window's last pixel instead of its max (right only where the input
increases along rows and columns)."""
# component: max_pool2d
# expect-at-most: 1
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    kh, kw = _pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else _pair(stride)
    ph, pw = _pair(pad)
    xp = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    windows = xp.unfold(2, kh, sh).unfold(3, kw, sw)
    return windows[..., -1, -1]
