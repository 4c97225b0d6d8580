"""Correct but different: windows from Tensor.unfold, contracted with W by einsum."""
# component: conv2d
# expect: full


def conv2d(x, W, b=None, stride=1, pad=0):
    (SH, SW), (PH, PW) = _pair(stride), _pair(pad)
    KH, KW = W.shape[2:]
    windows = F.pad(x, (PW, PW, PH, PH)).unfold(2, KH, SH).unfold(3, KW, SW)
    y = torch.einsum("nchwij,ocij->nohw", windows, W)
    return y if b is None else y + b.reshape(1, -1, 1, 1)
