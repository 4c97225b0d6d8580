"""Instructor's reference solutions for HW2 (DeZero steps 54-57), in PyTorch.

Same algorithms as DeZero (inverted dropout, im2col by slicing, convolution as
one matrix product, pooling as a max over im2col windows), but on torch
tensors so autograd supplies the backward pass. None of the built-ins being
implemented is called; F.pad is the only torch.nn.functional helper used.
"""
import torch
import torch.nn.functional as F


def _pair(v):
    """Accept an int or an (int, int) pair for kernel_size, stride and pad."""
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v, v)


def _out_size(size, k, s, p):
    """Number of window positions along one axis."""
    return (size + 2 * p - k) // s + 1


def dropout(x, dropout_ratio=0.5, training=True):
    """Inverted dropout: zero each unit with probability dropout_ratio.

    Kept units are scaled by 1/(1 - ratio) during training so the expected
    activation is unchanged and inference needs no rescaling at all.
    """
    if not 0 <= dropout_ratio <= 1:
        raise ValueError(f"dropout_ratio must be in [0, 1], got {dropout_ratio}")
    if not training:
        return x
    # rand is uniform on [0, 1), so P(keep) = P(u >= ratio) = 1 - ratio exactly.
    mask = torch.rand(x.shape, device=x.device) >= dropout_ratio
    if dropout_ratio == 1:
        return x * mask  # everything dropped; avoids dividing by zero
    return x * mask / (1 - dropout_ratio)


def _windows(x, kernel_size, stride, pad, fill):
    """All kernel windows of x as a (N, C, KH, KW, OH, OW) tensor.

    DeZero's im2col_array: pad once, then one strided slice per kernel offset
    (i, j) picks that offset's pixel from every window at the same time.
    """
    N, C, H, W = x.shape
    KH, KW = _pair(kernel_size)
    SH, SW = _pair(stride)
    PH, PW = _pair(pad)
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W, KW, SW, PW)
    img = F.pad(x, (PW, PW, PH, PH), value=fill)
    col = img.new_zeros(N, C, KH, KW, OH, OW)
    for i in range(KH):
        for j in range(KW):
            col[:, :, i, j, :, :] = img[:, :, i:i + SH * OH:SH, j:j + SW * OW:SW]
    return col


def im2col(x, kernel_size, stride=1, pad=0):
    """Unfold (N, C, H, W) into (N*OH*OW, C*KH*KW): one row per window.

    Rows are ordered (n, oh, ow) and columns (c, kh, kw), so a convolution
    becomes a single matrix product with the flattened kernels.
    """
    col = _windows(x, kernel_size, stride, pad, fill=0.0)
    N, C, KH, KW, OH, OW = col.shape
    return col.permute(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, C * KH * KW)


def conv2d(x, W, b=None, stride=1, pad=0):
    """Cross-correlation like F.conv2d, as im2col followed by one matmul.

    x: (N, C, H, W); W: (OC, C, KH, KW); b: (OC,) or None -> (N, OC, OH, OW).
    """
    N, _, H, W_in = x.shape
    OC, C, KH, KW = W.shape
    (SH, SW), (PH, PW) = _pair(stride), _pair(pad)
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W_in, KW, SW, PW)
    col = im2col(x, (KH, KW), stride, pad)
    y = col @ W.reshape(OC, C * KH * KW).T  # (N*OH*OW, OC)
    if b is not None:
        y = y + b
    return y.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)


def max_pool2d(x, kernel_size, stride=None, pad=0):
    """Max over each window, like F.max_pool2d.

    stride defaults to kernel_size (non-overlapping windows); padding is -inf so
    a padded cell can never be the maximum.
    """
    if stride is None:
        stride = kernel_size
    col = _windows(x, kernel_size, stride, pad, fill=float("-inf"))
    N, C, KH, KW, OH, OW = col.shape
    return col.reshape(N, C, KH * KW, OH, OW).max(dim=2).values
