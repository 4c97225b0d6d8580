"""Correct cross_entropy with a boolean mask built by comparing against arange."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    classes = torch.arange(y_hat.shape[1], device=y_hat.device)
    mask = classes[None, :] == y[:, None]
    return -torch.where(mask, y_hat.log(), torch.zeros_like(y_hat)).sum(1).mean()
