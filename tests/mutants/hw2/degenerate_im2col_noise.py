"""Degenerate: the right shape, filled with input-shaped noise times the input's mean."""
# component: im2col
# expect-at-most: 1
import torch


def im2col(x, kernel_size, stride=1, pad=0):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    N, C, H, W = x.shape
    oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    g = torch.Generator().manual_seed(1)
    noise = torch.randn(N * oh * ow, C * kh * kw, generator=g, dtype=x.dtype).to(x.device)
    return noise * x.mean()
