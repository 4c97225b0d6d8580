"""Subtracts the max of the whole batch, not of each row: rows far below underflow to 0/0."""
# component: softmax
# expect-fail: numerically_stable
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(1, keepdim=True)
