"""Correct but different: one Python loop iteration per window, rows stacked at the end."""
# component: im2col
# expect: full


def im2col(x, kernel_size, stride=1, pad=0):
    N, C, H, W = x.shape
    (KH, KW), (SH, SW), (PH, PW) = _pair(kernel_size), _pair(stride), _pair(pad)
    OH, OW = (H + 2 * PH - KH) // SH + 1, (W + 2 * PW - KW) // SW + 1
    rows_pad = x.new_zeros(N, C, PH, W)
    padded = torch.cat([rows_pad, x, rows_pad], dim=2)
    cols_pad = x.new_zeros(N, C, H + 2 * PH, PW)
    padded = torch.cat([cols_pad, padded, cols_pad], dim=3)
    rows = []
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                top, left = oh * SH, ow * SW
                rows.append(padded[n, :, top:top + KH, left:left + KW].reshape(-1))
    return torch.stack(rows)
