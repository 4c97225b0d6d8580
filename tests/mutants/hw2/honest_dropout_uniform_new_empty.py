"""Correct dropout: x.new_empty(x.shape).uniform_() and a float mask multiplied in."""
# component: dropout
# expect: full


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    if dropout_ratio == 1:
        return x.new_zeros(x.shape)
    mask = (x.new_empty(x.shape).uniform_() >= dropout_ratio).to(x.dtype)
    return mask * x * (1.0 / (1.0 - dropout_ratio))
