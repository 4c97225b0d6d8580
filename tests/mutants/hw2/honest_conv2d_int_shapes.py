"""Correct conv2d that reads sizes through tensors (int(torch.tensor(...)) and .item()):
inconclusive on meta, decided on real devices."""
# component: conv2d
# expect: full
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    OC, C, KH, KW = W.shape
    if x.numel() and torch.isnan(x).any().item():
        raise ValueError("NaN input")
    col = im2col(x, (KH, KW), (sh, sw), (ph, pw))
    N, _, H, Wd = x.shape
    oh, ow = _out_size(H, KH, sh, ph), _out_size(Wd, KW, sw, pw)
    out = col @ W.reshape(OC, -1).T
    if b is not None:
        out = out + b
    return out.reshape(N, oh, ow, OC).permute(0, 3, 1, 2)
