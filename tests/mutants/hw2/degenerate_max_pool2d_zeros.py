"""Degenerate: Zeros of the right shape."""
# component: max_pool2d
# expect-at-most: 1
def max_pool2d(x, kernel_size, stride=None, pad=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(pad)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    N, C, H, W = x.shape
    return x.new_zeros(N, C, _out_size(H, kh, sh, ph), _out_size(W, kw, sw, pw)) + x.sum() * 0
