"""torch.manual_seed inside dropout "for reproducibility": every call drops the same units."""
# component: dropout
# expect-fail: fresh_mask


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    torch.manual_seed(0)
    mask = torch.rand_like(x) >= dropout_ratio
    return x * mask / (1 - dropout_ratio) if dropout_ratio < 1 else x * mask
