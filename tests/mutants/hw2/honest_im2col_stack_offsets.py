"""Correct im2col: stack the strided slices of every kernel offset, then permute."""
# component: im2col
# expect: full
import torch
import torch.nn.functional as F


def _two(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def im2col(x, kernel_size, stride=1, pad=0):
    (kh, kw), (sh, sw), (ph, pw) = _two(kernel_size), _two(stride), _two(pad)
    N, C, H, W = x.shape
    oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    img = F.pad(x, (pw, pw, ph, ph))
    slices = [img[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
              for i in range(kh) for j in range(kw)]
    col = torch.stack(slices, dim=2)          # N, C, KH*KW, OH, OW
    return col.permute(0, 3, 4, 1, 2).reshape(N * oh * ow, C * kh * kw)
