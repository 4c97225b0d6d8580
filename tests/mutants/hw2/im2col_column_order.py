"""Columns ordered (kh, kw, c) instead of (c, kh, kw): wrong permute before the reshape."""
# component: im2col
# expect-fail: known_patterns, matches_reference_float64, matches_reference_float32


def im2col(x, kernel_size, stride=1, pad=0):
    col = _windows(x, kernel_size, stride, pad, fill=0.0)
    N, C, KH, KW, OH, OW = col.shape
    return col.permute(0, 4, 5, 2, 3, 1).reshape(N * OH * OW, KH * KW * C)
