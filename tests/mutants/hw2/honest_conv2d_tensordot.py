"""Correct conv2d: the student's im2col, then tensordot with W reshaped to (OC, C*KH*KW)."""
# component: conv2d
# expect: full
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    N = x.shape[0]
    OC, C, KH, KW = W.shape
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    OH = (x.shape[2] + 2 * ph - KH) // sh + 1
    OW = (x.shape[3] + 2 * pw - KW) // sw + 1
    col = im2col(x, (KH, KW), stride, pad)
    y = torch.tensordot(col, W.reshape(OC, -1), dims=([1], [1]))
    if b is not None:
        y = y + b
    return y.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)
