"""Works on x.detach() (like x.data), which cuts the autograd graph: no gradient reaches x."""
# component: im2col
# expect-fail: gradient


def im2col(x, kernel_size, stride=1, pad=0):
    col = _windows(x.detach(), kernel_size, stride, pad, fill=0.0)
    N, C, KH, KW, OH, OW = col.shape
    return col.permute(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, C * KH * KW)
