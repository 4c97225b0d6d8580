"""Degenerate: uses only the kernel's top-left tap (a 1x1 convolution of the strided crop)."""
# component: conv2d
# expect-at-most: 1
import torch
import torch.nn.functional as F


def conv2d(x, W, b=None, stride=1, pad=0):
    OC, C, KH, KW = W.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    xp = F.pad(x, (pw, pw, ph, ph))
    OH, OW = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    patch = xp[:, :, 0:sh * (OH - 1) + 1:sh, 0:sw * (OW - 1) + 1:sw]
    out = torch.einsum("nchw,oc->nohw", patch, W[:, :, 0, 0])
    return out if b is None else out + b[None, :, None, None]
