"""Degenerate: Returns one number instead of a matrix."""
# component: softmax
# expect-at-most: 0
import torch


def softmax(X):
    return torch.tensor(1.0, dtype=X.dtype, device=X.device)
