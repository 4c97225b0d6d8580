"""Correct max_pool2d: running torch.maximum over kernel offsets, starting from -inf."""
# component: max_pool2d
# expect: full
import torch
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sh, sw = (kh, kw) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    ph, pw = (pad,) * 2 if isinstance(pad, int) else pad
    xp = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    OH = (xp.shape[2] - kh) // sh + 1
    OW = (xp.shape[3] - kw) // sw + 1
    out = torch.full((x.shape[0], x.shape[1], OH, OW), float("-inf"), dtype=x.dtype,
                     device=x.device)
    for i in range(kh):
        for j in range(kw):
            out = torch.maximum(out, xp[:, :, i:i + sh * OH:sh, j:j + sw * OW:sw])
    return out
