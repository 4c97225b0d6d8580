"""The mask is applied to x in place (x *= mask), changing the caller's tensor."""
# component: dropout
# expect-fail: output_contract, gradient


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    if dropout_ratio == 1:
        return x.zero_()
    mask = torch.rand_like(x) >= dropout_ratio
    x *= mask
    x /= 1 - dropout_ratio
    return x
