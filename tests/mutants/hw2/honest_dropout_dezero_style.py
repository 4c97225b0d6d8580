"""Correct dropout translated from DeZero: mask = rand > ratio, scale = 1 - ratio as a
tensor of x's dtype."""
# component: dropout
# expect: full
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if dropout_ratio > 1 or dropout_ratio < 0:
        raise ValueError("dropout_ratio must lie in [0, 1]")
    if training:
        mask = torch.rand_like(x) > dropout_ratio
        scale = torch.tensor(1.0 - dropout_ratio, dtype=x.dtype, device=x.device)
        y = x * mask / scale if dropout_ratio < 1 else x * mask
        return y
    return x
