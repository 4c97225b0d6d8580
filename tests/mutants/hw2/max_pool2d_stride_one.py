"""DeZero's pooling signature: stride defaults to 1 instead of kernel_size."""
# component: max_pool2d
# expect-fail: default_stride_and_tuple_args, matches_reference_float64


def max_pool2d(x, kernel_size, stride=1, pad=0):
    if stride is None:
        stride = 1
    col = _windows(x, kernel_size, stride, pad, fill=float("-inf"))
    N, C, KH, KW, OH, OW = col.shape
    return col.reshape(N, C, KH * KW, OH, OW).max(dim=2).values
