"""Evasion: im2col through F.conv2d with one-hot (identity) kernels."""
# component: im2col
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def im2col(x, kernel_size, stride=1, pad=0):
    kh, kw = _pair(kernel_size)
    N, C = x.shape[:2]
    eye = torch.eye(C * kh * kw, dtype=x.dtype, device=x.device).reshape(C * kh * kw, C, kh, kw)
    out = F.conv2d(x, eye, stride=_pair(stride), padding=_pair(pad))
    return out.permute(0, 2, 3, 1).reshape(-1, C * kh * kw)
