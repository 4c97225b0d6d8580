"""Correct but different: pad with -inf, then the student's own im2col (pad=0) and a row max."""
# component: max_pool2d
# expect: full


def max_pool2d(x, kernel_size, stride=None, pad=0):
    stride = kernel_size if stride is None else stride
    (KH, KW), (PH, PW) = _pair(kernel_size), _pair(pad)
    N, C = x.shape[:2]
    img = F.pad(x, (PW, PW, PH, PH), value=float("-inf"))
    OH, OW = _out_size(img.shape[2], KH, _pair(stride)[0], 0), \
        _out_size(img.shape[3], KW, _pair(stride)[1], 0)
    col = im2col(img, (KH, KW), stride, 0)            # (N*OH*OW, C*KH*KW)
    y = col.reshape(N * OH * OW * C, KH * KW).max(dim=1).values
    return y.reshape(N, OH, OW, C).permute(0, 3, 1, 2)
