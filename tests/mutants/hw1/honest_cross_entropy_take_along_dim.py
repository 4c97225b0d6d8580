"""Correct cross_entropy with torch.take_along_dim and a sum divided by the batch size."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    picked = torch.take_along_dim(y_hat, y.reshape(-1, 1), dim=1).squeeze(1)
    return -picked.log().sum() / y.shape[0]
