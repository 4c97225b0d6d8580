"""dropout_ratio read as the KEEP probability (later CS231n convention) instead of the drop one."""
# component: dropout
# expect-fail: values_kept_or_scaled, drop_rate_and_scaling, edge_ratios


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    mask = torch.rand_like(x) < dropout_ratio
    return x * mask / dropout_ratio
