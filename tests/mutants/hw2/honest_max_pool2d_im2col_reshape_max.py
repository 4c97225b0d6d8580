"""Correct max_pool2d in DeZero's shape: -inf pad, own im2col (pad 0), reshape, max(dim)[0]."""
# component: max_pool2d
# expect: full
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    N, C, H, W = x.shape
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    sh, sw = (kh, kw) if stride is None else (
        (stride, stride) if isinstance(stride, int) else stride)
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    xp = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    OH, OW = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    col = im2col(xp, (kh, kw), (sh, sw), 0).reshape(-1, kh * kw)
    return col.max(axis=1)[0].reshape(N, OH, OW, C).permute(0, 3, 1, 2)
