"""Correct softmax that computes in float64 and casts back to the input's dtype."""
# component: softmax
# expect: full
import torch


def softmax(X):
    Z = X.to(torch.float64)
    Z = Z - Z.amax(dim=1, keepdim=True)
    e = Z.exp()
    return (e / e.sum(1, keepdim=True)).to(X.dtype)
