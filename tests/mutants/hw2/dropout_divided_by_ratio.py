"""Kept units divided by dropout_ratio instead of (1 - dropout_ratio)."""
# component: dropout
# expect-fail: values_kept_or_scaled, drop_rate_and_scaling, edge_ratios


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    mask = torch.rand(x.shape, device=x.device) > dropout_ratio
    return x * mask / dropout_ratio
