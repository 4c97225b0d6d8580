"""Correct im2col: padding by copying into x.new_zeros, windows gathered with index tensors."""
# component: im2col
# expect: full
import torch


def im2col(x, kernel_size, stride=1, pad=0):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    N, C, H, W = x.shape
    img = x.new_zeros(N, C, H + 2 * ph, W + 2 * pw)
    img[:, :, ph:ph + H, pw:pw + W] = x
    oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    rows = (torch.arange(oh, device=x.device) * sh)[:, None] + torch.arange(kh, device=x.device)
    cols = (torch.arange(ow, device=x.device) * sw)[:, None] + torch.arange(kw, device=x.device)
    # patches[n, c, oh, kh, ow, kw]
    patches = img[:, :, rows[:, :, None, None], cols[None, None, :, :]]
    return patches.permute(0, 2, 4, 1, 3, 5).reshape(N * oh * ow, C * kh * kw)
