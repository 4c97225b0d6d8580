"""y_hat[:, y] selects a (batch x batch) block, averaging wrong entries."""
# component: cross_entropy
# expect-fail: matches_reference_float64
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[:, y]).mean()
