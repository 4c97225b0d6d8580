"""Degenerate: the softmax of each row, sorted (right values, wrong places)."""
# component: softmax
# expect-at-most: 1
import torch


def softmax(X):
    e = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return (e / e.sum(dim=1, keepdim=True)).sort(dim=1).values
