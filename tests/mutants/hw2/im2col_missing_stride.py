"""The window slices forget their step: windows overlap as if the stride were 1."""
# component: im2col
# expect-fail: matches_reference_float64
# expect-hint: stride were 1
import torch
import torch.nn.functional as F


def im2col(x, kernel_size, stride=1, pad=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(pad)
    N, C, H, W = x.shape
    oh, ow = _out_size(H, kh, sh, ph), _out_size(W, kw, sw, pw)
    img = F.pad(x, (pw, pw, ph, ph))
    cols = torch.stack([img[:, :, i:i + oh, j:j + ow] for i in range(kh) for j in range(kw)],
                       dim=2)                                  # (N, C, KH*KW, OH, OW)
    return cols.permute(0, 3, 4, 1, 2).reshape(N * oh * ow, C * kh * kw)
