"""Correct relu with torch.where and a Python scalar."""
# component: relu
# expect: full
import torch


def relu(X):
    return torch.where(X > 0, X, 0.0)
