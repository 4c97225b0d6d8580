"""The training flag is ignored: dropout also drops units at evaluation time."""
# component: dropout
# expect-fail: eval_identity


def dropout(x, dropout_ratio=0.5, training=True):
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    mask = torch.rand(x.shape, device=x.device) > dropout_ratio
    return x * mask / (1 - dropout_ratio)
