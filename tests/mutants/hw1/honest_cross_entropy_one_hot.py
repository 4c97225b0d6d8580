"""Correct cross_entropy through a one-hot matrix (F.one_hot is not a loss)."""
# component: cross_entropy
# expect: full
import torch
import torch.nn.functional as F


def cross_entropy(y_hat, y):
    one_hot = F.one_hot(y, num_classes=y_hat.shape[1]).to(y_hat.dtype)
    return -(one_hot * torch.log(y_hat)).sum(dim=1).mean()
