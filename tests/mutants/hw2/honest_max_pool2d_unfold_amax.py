"""Correct max_pool2d: -inf padding, Tensor.unfold windows, amax over the last two dims."""
# component: max_pool2d
# expect: full
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if stride is None:
        stride = (kh, kw)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    xp = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    windows = xp.unfold(2, kh, sh).unfold(3, kw, sw)      # N, C, OH, OW, KH, KW
    return windows.amax(dim=(-2, -1))
