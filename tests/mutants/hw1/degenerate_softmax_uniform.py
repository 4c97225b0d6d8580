"""Degenerate: Uniform rows built without X's values."""
# component: softmax
# expect-at-most: 1
import torch


def softmax(X):
    return torch.ones_like(X) / X.shape[1]
