"""Correct but different: exp(X - logsumexp(X))."""
# component: softmax
# expect: full
import torch


def softmax(X):
    return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
