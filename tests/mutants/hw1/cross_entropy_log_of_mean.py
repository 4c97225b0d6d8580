"""The log of the mean probability instead of the mean of the logs."""
# component: cross_entropy
# expect-fail: matches_reference_float64
# expect-hint: log of the mean
import torch


def cross_entropy(y_hat, y):
    picked = y_hat[torch.arange(len(y), device=y_hat.device), y]
    return -torch.log(picked.mean())
