"""Degenerate: a fixed pseudo-random mask from a hash of each element's index (the same
elements are dropped on every call)."""
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
    index = torch.arange(x.numel(), device=x.device, dtype=torch.float64)
    u = torch.frac(torch.sin(index * 12.9898 + 78.233) * 43758.5453).abs().reshape(x.shape)
    return x * (u >= dropout_ratio) / (1 - dropout_ratio)
