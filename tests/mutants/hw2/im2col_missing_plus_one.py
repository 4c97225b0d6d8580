"""Output size computed without the + 1: OH = (H + 2*PH - KH) // SH."""
# component: im2col
# expect-fail: output_contract, known_patterns, matches_reference_float64, matches_reference_float32


def im2col(x, kernel_size, stride=1, pad=0):
    N, C, H, W = x.shape
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    OH, OW = (H + 2 * PH - KH) // SH, (W + 2 * PW - KW) // SW
    img = F.pad(x, (PW, PW, PH, PH))
    col = img.new_zeros(N, C, KH, KW, OH, OW)
    for i in range(KH):
        for j in range(KW):
            col[:, :, i, j] = img[:, :, i:i + SH * OH:SH, j:j + SW * OW:SW]
    return col.permute(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, C * KH * KW)
