"""Degenerate: Scales every element, drops none."""
# component: dropout
# expect-at-most: 1
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    if dropout_ratio >= 1:
        return torch.zeros_like(x)
    return x / (1 - dropout_ratio)
