"""Correct im2col, DeZero's im2col_array line by line (col[:, :, j, i, :, :] = ...)."""
# component: im2col
# expect: full
import torch


def pair_of(x):
    if isinstance(x, int):
        return (x, x)
    assert len(x) == 2
    return x


def get_conv_outsize(input_size, kernel_size, stride, pad):
    return (input_size + pad * 2 - kernel_size) // stride + 1


def im2col(x, kernel_size, stride=1, pad=0):
    N, C, H, W = x.shape
    KH, KW = pair_of(kernel_size)
    SH, SW = pair_of(stride)
    PH, PW = pair_of(pad)
    OH = get_conv_outsize(H, KH, SH, PH)
    OW = get_conv_outsize(W, KW, SW, PW)
    img = torch.nn.functional.pad(x, (PW, PW, PH, PH), mode="constant", value=0)
    col = torch.zeros((N, C, KH, KW, OH, OW), dtype=x.dtype, device=x.device)
    for j in range(KH):
        j_lim = j + SH * OH
        for i in range(KW):
            i_lim = i + SW * OW
            col[:, :, j, i, :, :] = img[:, :, j:j_lim:SH, i:i_lim:SW]
    return col.permute(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, -1)
