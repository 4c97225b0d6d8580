"""d2l's own cross_entropy: y_hat[list(range(len(y_hat))), y]."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()
