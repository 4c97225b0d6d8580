"""Correct conv2d through FFTs (torch.fft.rfft2 of the padded image and the flipped
kernel; the rubric allows FFTs), strided by slicing."""
# component: conv2d
# expect: full
import torch
import torch.nn.functional as F


def conv2d(x, W, b=None, stride=1, pad=0):
    OC, C, KH, KW = W.shape
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    xp = F.pad(x, (pw, pw, ph, ph))
    H, Wd = xp.shape[2:]
    # full linear correlation = convolution with the flipped kernel
    size = (H + KH - 1, Wd + KW - 1)
    X = torch.fft.rfft2(xp, s=size)                       # N, C, ...
    K = torch.fft.rfft2(W.flip(2, 3), s=size)             # OC, C, ...
    Y = torch.einsum("nchw,ochw->nohw", X, K)
    full = torch.fft.irfft2(Y, s=size)
    valid = full[:, :, KH - 1:H, KW - 1:Wd]
    out = valid[:, :, ::sh, ::sw]
    return out if b is None else out + b[None, :, None, None]
