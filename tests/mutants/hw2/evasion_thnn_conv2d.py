"""Evasion: torch's own CPU convolution, torch._C._nn.thnn_conv2d."""
# component: conv2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def conv2d(x, W, b=None, stride=1, pad=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    out = torch._C._nn.thnn_conv2d(F.pad(x, (pw, pw, ph, ph)), W, W.shape[2:], b, (sh, sw))
    return out
