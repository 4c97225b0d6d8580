"""Degenerate: -log of each row's largest probability (ignores the labels)."""
# component: cross_entropy
# expect-at-most: 1
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat.max(dim=1).values).mean()
