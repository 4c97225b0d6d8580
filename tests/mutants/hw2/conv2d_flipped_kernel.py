"""A true convolution (kernel flipped) instead of F.conv2d's cross-correlation."""
# component: conv2d
# expect-fail: delta_kernel, matches_reference_float64, matches_reference_float32


def conv2d(x, W, b=None, stride=1, pad=0):
    N, _, H, W_in = x.shape
    OC, C, KH, KW = W.shape
    (SH, SW), (PH, PW) = _pair(stride), _pair(pad)
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W_in, KW, SW, PW)
    col = im2col(x, (KH, KW), stride, pad)
    y = col @ W.flip(2, 3).reshape(OC, C * KH * KW).T
    if b is not None:
        y = y + b
    return y.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)
