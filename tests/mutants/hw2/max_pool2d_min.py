"""Takes each window's minimum."""
# component: max_pool2d
# expect-fail: matches_reference_float64
# expect-hint: MINIMUM
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(pad)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    N, C, H, W = x.shape
    oh, ow = _out_size(H, kh, sh, ph), _out_size(W, kw, sw, pw)
    img = F.pad(x, (pw, pw, ph, ph), value=float("inf"))
    windows = img.unfold(2, kh, sh).unfold(3, kw, sw)[:, :, :oh, :ow]
    return windows.amin(dim=(-2, -1))
