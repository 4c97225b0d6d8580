"""Correct but different: windows as a strided view (as_strided), no copy loop."""
# component: im2col
# expect: full


def im2col(x, kernel_size, stride=1, pad=0):
    N, C, H, W = x.shape
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    OH, OW = (H + 2 * PH - KH) // SH + 1, (W + 2 * PW - KW) // SW + 1
    img = F.pad(x, (PW, PW, PH, PH)).contiguous()
    sn, sc, sh, sw = img.stride()
    windows = img.as_strided((N, OH, OW, C, KH, KW), (sn, sh * SH, sw * SW, sc, sh, sw))
    return windows.reshape(N * OH * OW, C * KH * KW)
