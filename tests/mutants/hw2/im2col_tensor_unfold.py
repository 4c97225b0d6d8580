"""Correct but different: Tensor.unfold twice (a view per axis), then permute and reshape."""
# component: im2col
# expect: full


def im2col(x, kernel_size, stride=1, pad=0):
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    img = F.pad(x, (PW, PW, PH, PH))
    windows = img.unfold(2, KH, SH).unfold(3, KW, SW)  # (N, C, OH, OW, KH, KW)
    N, C, OH, OW = windows.shape[:4]
    return windows.permute(0, 2, 3, 1, 4, 5).reshape(N * OH * OW, C * KH * KW)
