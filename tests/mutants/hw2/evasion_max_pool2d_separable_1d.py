"""Evasion: separable max pooling through torch.ops.aten.max_pool1d.default (rows, then columns)."""
# component: max_pool2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def max_pool2d(x, kernel_size, stride=None, pad=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(pad)
    sh, sw = (kh, kw) if stride is None else _pair(stride)
    N, C, H, W = x.shape
    rows = torch.ops.aten.max_pool1d.default(x.reshape(N * C, H, W), [kw], [sw], [pw])
    Wo = rows.shape[-1]
    cols = rows.reshape(N * C, H, Wo).transpose(1, 2)
    out = torch.ops.aten.max_pool1d.default(cols, [kh], [sh], [ph])
    return out.transpose(1, 2).reshape(N, C, -1, Wo)
