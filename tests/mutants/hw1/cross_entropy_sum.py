"""Sums the losses over the batch instead of averaging."""
# component: cross_entropy
# expect-fail: matches_reference_float64, batch_invariances
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[torch.arange(len(y_hat), device=y_hat.device), y]).sum()
