"""Degenerate: Zeros of the default dtype on the CPU, whatever X is."""
# component: relu
# expect-at-most: 0
import torch


def relu(X):
    return torch.zeros(X.shape)
