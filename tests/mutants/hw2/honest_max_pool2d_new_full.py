"""Correct max_pool2d: padding by copying x into x.new_full(..., -inf), windows from
torch.stack of strided slices, max over the stacked axis."""
# component: max_pool2d
# expect: full
import torch


def max_pool2d(x, kernel_size, stride=None, pad=0):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    N, C, H, W = x.shape
    xp = x.new_full((N, C, H + 2 * ph, W + 2 * pw), float("-inf"))
    xp[:, :, ph:ph + H, pw:pw + W] = x
    oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    windows = torch.stack([xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                           for i in range(kh) for j in range(kw)])
    return windows.max(dim=0).values
