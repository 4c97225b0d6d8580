"""Degenerate: every window times the kernel's mean (ignores the kernel's pattern)."""
# component: conv2d
# expect-at-most: 1
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    OC, C, KH, KW = W.shape
    N = x.shape[0]
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    OH = (x.shape[2] + 2 * ph - KH) // sh + 1
    OW = (x.shape[3] + 2 * pw - KW) // sw + 1
    col = im2col(x, (KH, KW), stride, pad)
    flat = W.reshape(OC, -1).mean(dim=1, keepdim=True).expand(OC, C * KH * KW)
    y = col @ flat.T
    if b is not None:
        y = y + b
    return y.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)
