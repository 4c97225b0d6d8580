"""Degenerate: A constant loss."""
# component: cross_entropy
# expect-at-most: 1
import torch


def cross_entropy(y_hat, y):
    return torch.tensor(1.0, dtype=y_hat.dtype, device=y_hat.device)
