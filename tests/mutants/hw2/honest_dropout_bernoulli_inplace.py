"""Correct dropout: empty_like(x).bernoulli_(keep) as the mask, eval returns a copy."""
# component: dropout
# expect: full
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not (0.0 <= dropout_ratio <= 1.0):
        raise ValueError(f"invalid dropout_ratio {dropout_ratio}")
    if not training:
        return x.clone()
    keep = 1.0 - dropout_ratio
    mask = torch.empty_like(x).bernoulli_(keep)
    return x * mask / keep if keep > 0 else torch.zeros_like(x)
