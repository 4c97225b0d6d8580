"""Correct softmax that refuses NaN inputs (`if torch.isnan(X).any(): raise`) and reads
a value with .item(): inconclusive on meta, decided on real devices."""
# component: softmax
# expect: full
import torch


def softmax(X):
    if torch.isnan(X).any():
        raise ValueError("softmax got NaN inputs")
    if X.numel() and X.abs().max().item() == float("inf"):
        raise ValueError("softmax got infinite inputs")
    shifted = X - X.max(dim=1, keepdim=True).values
    e = torch.exp(shifted)
    return e / e.sum(dim=1, keepdim=True)
