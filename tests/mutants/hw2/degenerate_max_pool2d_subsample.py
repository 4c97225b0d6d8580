"""Degenerate: A strided subsample: each window's top-left pixel (padding -inf)."""
# component: max_pool2d
# expect-at-most: 1
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(pad)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    N, C, H, W = x.shape
    oh, ow = _out_size(H, kh, sh, ph), _out_size(W, kw, sw, pw)
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    return padded[:, :, 0:sh * oh:sh, 0:sw * ow:sw]
