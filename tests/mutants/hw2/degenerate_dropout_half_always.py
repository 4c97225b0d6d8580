"""Degenerate: ignores dropout_ratio: always drops half, scales by 2."""
# component: dropout
# expect-at-most: 1
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    return x * (torch.rand_like(x) >= 0.5) * 2
