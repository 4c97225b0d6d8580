"""Evasion: conv2d computed as the weight gradient of torch's convolution backward
(aten::convolution_backward: batch and channel roles swapped, the stride as dilation)."""
# component: conv2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def conv2d(x, W, b=None, stride=1, pad=0):
    OC, C, KH, KW = W.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(pad)
    xp = F.pad(x, (pw, pw, ph, ph))
    OH, OW = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    # weight gradient of a convolution of input I (C, N, H', W') with output gradient G
    # (C, OC, KH, KW), dilation (sh, sw):  dWt[oc, n, i, j] = sum_c,kh,kw G[c, oc, kh, kw]
    # * I[c, n, kh + sh*i, kw + sw*j], which is conv2d(x, W)[n, oc, i, j].
    xp = xp[:, :, :KH + sh * (OH - 1), :KW + sw * (OW - 1)]
    weight = torch.empty(OC, xp.shape[0], OH, OW, dtype=x.dtype, device=x.device)
    _, grad_w, _ = torch.ops.aten.convolution_backward.default(
        W.transpose(0, 1), xp.transpose(0, 1), weight, None, [1, 1], [0, 0], [sh, sw], False,
        [0, 0], 1, [False, True, False])
    out = grad_w.transpose(0, 1)
    return out if b is None else out + b[None, :, None, None]
