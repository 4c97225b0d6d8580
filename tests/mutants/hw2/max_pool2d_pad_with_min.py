"""Correct but different: pads with float(x.min()) - 1 instead of -inf (needs .item(): inconclusive on meta)."""
# component: max_pool2d
# expect: full


def max_pool2d(x, kernel_size, stride=None, pad=0):
    stride = kernel_size if stride is None else stride
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    img = F.pad(x, (PW, PW, PH, PH), value=float(x.min()) - 1.0)
    windows = img.unfold(2, KH, SH).unfold(3, KW, SW)   # (N, C, OH, OW, KH, KW)
    return windows.flatten(-2).max(dim=-1).values
