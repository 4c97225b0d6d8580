"""F.pad's tuple written in (height, width) order: height padded by PW, width by PH."""
# component: im2col
# expect-fail: matches_reference_float64
# expect-hint: F.pad's tuple starts with the LAST dimension
import torch
import torch.nn.functional as F


def im2col(x, kernel_size, stride=1, pad=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(pad)
    N, C, H, W = x.shape
    oh, ow = _out_size(H, kh, sh, ph), _out_size(W, kw, sw, pw)
    img = F.pad(x, (ph, ph, pw, pw))
    img = F.pad(img, (0, max(0, (ow - 1) * sw + kw - img.shape[3]),
                      0, max(0, (oh - 1) * sh + kh - img.shape[2])))
    cols = torch.stack([img[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw][:, :, :oh, :ow]
                        for i in range(kh) for j in range(kw)], dim=2)
    return cols.permute(0, 3, 4, 1, 2).reshape(N * oh * ow, C * kh * kw)
