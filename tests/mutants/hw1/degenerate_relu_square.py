"""Degenerate: squares the positives (relu(x)^2): zero where it should be, wrong elsewhere."""
# component: relu
# expect-at-most: 1
import torch


def relu(X):
    return torch.where(X > 0, X * X, torch.zeros_like(X))
