"""Degenerate: Only the bias, broadcast to the output shape."""
# component: conv2d
# expect-at-most: 1
def conv2d(x, W, b=None, stride=1, pad=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    N, C, H, Wd = x.shape
    OC, _, KH, KW = W.shape
    out = x.new_zeros(N, OC, _out_size(H, KH, sh, ph), _out_size(Wd, KW, sw, pw))
    return out if b is None else out + b.reshape(1, -1, 1, 1)
