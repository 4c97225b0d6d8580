"""Degenerate: a checkerboard-like fixed pattern at the right rate (element i is dropped
when frac(i * golden ratio) < ratio): the same elements on every call."""
# component: dropout
# expect-at-most: 1
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    i = torch.arange(x.numel(), device=x.device, dtype=torch.float64)
    keep = torch.frac(i * 0.6180339887498949).reshape(x.shape) >= dropout_ratio
    return x * keep / (1 - dropout_ratio)
