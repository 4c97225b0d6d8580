"""Correct conv2d: per-image windows through bmm with the flattened kernel."""
# component: conv2d
# expect: full
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    N = x.shape[0]
    OC, C, KH, KW = W.shape
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (pad, pad) if isinstance(pad, int) else tuple(pad)
    OH = (x.shape[2] + 2 * ph - KH) // sh + 1
    OW = (x.shape[3] + 2 * pw - KW) // sw + 1
    col = im2col(x, (KH, KW), (sh, sw), (ph, pw)).reshape(N, OH * OW, C * KH * KW)
    kernel = W.reshape(1, OC, -1).transpose(1, 2).expand(N, -1, -1)
    y = torch.bmm(col, kernel)                  # N, OH*OW, OC
    if b is not None:
        y = y + b.reshape(1, 1, OC)
    return y.transpose(1, 2).reshape(N, OC, OH, OW)
