"""Evasion: conv2d as conv_transpose2d with a flipped, transposed kernel (stride 1, then
every stride-th output)."""
# component: conv2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    kh, kw = W.shape[2:]
    ph, pw = _pair(pad)
    # transposed padding k - 1 - p is p of the direct one; more than k - 1 is padded first
    extra_h, extra_w = max(0, ph - (kh - 1)), max(0, pw - (kw - 1))
    x = torch.nn.functional.pad(x, (extra_w, extra_w, extra_h, extra_h))
    full = torch.ops.aten.conv_transpose2d.input(
        x, W.flip(2, 3).transpose(0, 1), b, [1, 1],
        [kh - 1 - (ph - extra_h), kw - 1 - (pw - extra_w)])
    sh, sw = _pair(stride)
    return full[:, :, ::sh, ::sw]
