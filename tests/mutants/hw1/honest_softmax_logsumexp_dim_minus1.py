"""Correct softmax through torch.logsumexp over dim=-1 (exp(X - lse))."""
# component: softmax
# expect: full
import torch


def softmax(X):
    return torch.exp(X - torch.logsumexp(X, dim=-1, keepdim=True))
