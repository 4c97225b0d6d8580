"""Builds the zeros on the CPU: breaks for GPU (here: meta) inputs."""
# component: relu
# expect-fail: device_agnostic
import torch


def relu(X):
    return torch.max(X, torch.zeros(X.shape, dtype=X.dtype))
