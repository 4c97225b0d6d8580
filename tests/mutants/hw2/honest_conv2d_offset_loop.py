"""Correct conv2d without im2col: a loop over kernel offsets accumulating einsum products."""
# component: conv2d
# expect: full
import torch
import torch.nn.functional as F


def conv2d(x, W, b=None, stride=1, pad=0):
    OC, C, KH, KW = W.shape
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    xp = F.pad(x, (pw, pw, ph, ph))
    OH = (xp.shape[2] - KH) // sh + 1
    OW = (xp.shape[3] - KW) // sw + 1
    out = None
    for i in range(KH):
        for j in range(KW):
            patch = xp[:, :, i:i + sh * (OH - 1) + 1:sh, j:j + sw * (OW - 1) + 1:sw]
            term = torch.einsum("nchw,oc->nohw", patch, W[:, :, i, j])
            out = term if out is None else out + term
    if b is not None:
        out = out + b[None, :, None, None]
    return out
