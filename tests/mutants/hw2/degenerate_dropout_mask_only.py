"""Degenerate: Returns the scaled mask without x."""
# component: dropout
# expect-at-most: 1
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    if dropout_ratio >= 1:
        return torch.zeros_like(x)
    return (torch.rand_like(x) > dropout_ratio).to(x.dtype) / (1 - dropout_ratio)
