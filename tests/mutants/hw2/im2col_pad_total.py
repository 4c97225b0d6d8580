"""pad treated as the TOTAL padding (d2l's p_h): pad // 2 on each side."""
# component: im2col
# expect-fail: output_contract, known_patterns, matches_reference_float64


def im2col(x, kernel_size, stride=1, pad=0):
    N, C, H, W = x.shape
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    PH, PW = PH // 2, PW // 2
    OH, OW = _out_size(H, KH, SH, PH), _out_size(W, KW, SW, PW)
    img = F.pad(x, (PW, PW, PH, PH))
    col = img.new_zeros(N, C, KH, KW, OH, OW)
    for i in range(KH):
        for j in range(KW):
            col[:, :, i, j] = img[:, :, i:i + SH * OH:SH, j:j + SW * OW:SW]
    return col.permute(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, C * KH * KW)
