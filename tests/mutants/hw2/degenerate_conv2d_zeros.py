"""Degenerate: Zeros of the right shape, still on the graph."""
# component: conv2d
# expect-at-most: 1
def conv2d(x, W, b=None, stride=1, pad=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    N, C, H, Wd = x.shape
    OC, _, KH, KW = W.shape
    out = x.new_zeros(N, OC, _out_size(H, KH, sh, ph), _out_size(Wd, KW, sw, pw))
    return out + (x.sum() + W.sum()) * 0 + (0 if b is None else b.sum() * 0)
