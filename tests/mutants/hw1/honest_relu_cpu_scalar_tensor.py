"""Correct relu: torch.maximum with a 0-dim CPU tensor (which torch lets meet any device)."""
# component: relu
# expect: full
import torch


def relu(X):
    return torch.maximum(X, torch.tensor(0.0, dtype=X.dtype))
