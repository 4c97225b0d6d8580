"""Degenerate: a plain reshape except for kernel = stride, no padding (non-overlapping
windows, where a reshape-and-permute is right)."""
# component: im2col
# expect-at-most: 1
import torch


def im2col(x, kernel_size, stride=1, pad=0):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    N, C, H, W = x.shape
    oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    if (kh, kw) == (sh, sw) and (ph, pw) == (0, 0):
        t = x[:, :, :oh * kh, :ow * kw].reshape(N, C, oh, kh, ow, kw)
        return t.permute(0, 2, 4, 1, 3, 5).reshape(N * oh * ow, C * kh * kw)
    flat = x.reshape(-1)
    need = N * oh * ow * C * kh * kw
    return flat.repeat(need // flat.numel() + 1)[:need].reshape(N * oh * ow, C * kh * kw)
