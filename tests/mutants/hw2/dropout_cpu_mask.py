"""d2l's dropout_layer: the mask comes from torch.rand(X.shape), which is always on the CPU."""
# component: dropout
# expect-fail: device_agnostic


def dropout(x, dropout_ratio=0.5, training=True):
    assert 0 <= dropout_ratio <= 1
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    mask = (torch.rand(x.shape) > dropout_ratio).float()
    return mask * x / (1.0 - dropout_ratio)
