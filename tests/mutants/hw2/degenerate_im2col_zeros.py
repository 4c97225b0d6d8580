"""Degenerate: Zeros of the right shape."""
# component: im2col
# expect-at-most: 1
def im2col(x, kernel_size, stride=1, pad=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(pad)
    N, C, H, W = x.shape
    rows = N * _out_size(H, kh, sh, ph) * _out_size(W, kw, sw, pw)
    return x.new_zeros(rows, C * kh * kw) + x.sum() * 0
