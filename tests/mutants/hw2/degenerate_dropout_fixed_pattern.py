"""Degenerate: drops the first dropout_ratio of the elements every time (no randomness)."""
# component: dropout
# expect-at-most: 1
# expect-hint: the same elements are dropped on every call
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    n = x.numel()
    keep = torch.arange(n, device=x.device).reshape(x.shape) >= round(dropout_ratio * n)
    return x * keep / (1 - dropout_ratio)
