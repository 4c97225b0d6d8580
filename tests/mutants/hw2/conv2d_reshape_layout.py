"""The (N*OH*OW, OC) product is reshaped straight to (N, OC, OH, OW), without the permute."""
# component: conv2d
# expect-fail: matches_reference_float64, matches_reference_float32


def conv2d(x, W, b=None, stride=1, pad=0):
    N, _, H, W_in = x.shape
    OC, C, KH, KW = W.shape
    (SH, SW), (PH, PW) = _pair(stride), _pair(pad)
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W_in, KW, SW, PW)
    y = im2col(x, (KH, KW), stride, pad) @ W.reshape(OC, C * KH * KW).T
    if b is not None:
        y = y + b
    return y.reshape(N, OC, OH, OW)
