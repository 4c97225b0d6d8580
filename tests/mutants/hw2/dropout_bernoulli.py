"""Correct but different: the mask is drawn with torch.bernoulli."""
# component: dropout
# expect: full


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:   # the stub asks for ValueError
        raise ValueError(f"dropout_ratio {dropout_ratio} is not in [0, 1]")
    if not training:
        return x.clone()
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    keep = torch.bernoulli(torch.full_like(x, 1 - dropout_ratio))
    return x * keep * (1 / (1 - dropout_ratio))
