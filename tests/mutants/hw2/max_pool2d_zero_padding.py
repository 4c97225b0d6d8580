"""DeZero's pooling: pads with 0, so padding wins the max when a border window is all negative."""
# component: max_pool2d
# expect-fail: padding_never_wins, matches_reference_float64


def max_pool2d(x, kernel_size, stride=None, pad=0):
    if stride is None:
        stride = kernel_size
    col = _windows(x, kernel_size, stride, pad, fill=0.0)
    N, C, KH, KW, OH, OW = col.shape
    return col.reshape(N, C, KH * KW, OH, OW).max(dim=2).values
