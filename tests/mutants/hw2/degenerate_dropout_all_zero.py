"""Degenerate: Drops everything in training mode."""
# component: dropout
# expect-at-most: 1
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    return torch.zeros_like(x) if training else x
