"""Correct dropout: torch.where on a rand mask of x's shape, ratio 1 handled first."""
# component: dropout
# expect: full
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if dropout_ratio < 0 or dropout_ratio > 1:
        raise ValueError("dropout_ratio must be in [0, 1]")
    if not training or dropout_ratio == 0:
        return x
    if dropout_ratio == 1:
        return x * 0
    keep = torch.rand(*x.shape, device=x.device) > dropout_ratio
    return torch.where(keep, x / (1 - dropout_ratio), torch.zeros_like(x))
