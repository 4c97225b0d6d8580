"""The bias argument is accepted but never added."""
# component: conv2d
# expect-fail: bias_and_tuple_args, matches_reference_float64, matches_reference_float32, gradient


def conv2d(x, W, b=None, stride=1, pad=0):
    N, _, H, W_in = x.shape
    OC, C, KH, KW = W.shape
    (SH, SW), (PH, PW) = _pair(stride), _pair(pad)
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W_in, KW, SW, PW)
    y = im2col(x, (KH, KW), stride, pad) @ W.reshape(OC, C * KH * KW).T
    return y.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)
