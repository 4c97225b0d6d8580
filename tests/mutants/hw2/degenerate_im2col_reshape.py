"""Degenerate: The input's values reshaped (repeated as needed) to the output shape."""
# component: im2col
# expect-at-most: 1
def im2col(x, kernel_size, stride=1, pad=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(pad)
    N, C, H, W = x.shape
    rows = N * _out_size(H, kh, sh, ph) * _out_size(W, kw, sw, pw)
    cols = C * kh * kw
    flat = x.reshape(-1)
    return flat.repeat(rows * cols // flat.numel() + 1)[:rows * cols].reshape(rows, cols)
