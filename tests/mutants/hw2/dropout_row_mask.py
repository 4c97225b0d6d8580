"""One random number per feature, broadcast over the batch: every row drops the same units."""
# component: dropout
# expect-fail: fresh_mask


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    mask = torch.rand(x.shape[-1], device=x.device) >= dropout_ratio
    return x * mask / (1 - dropout_ratio)
