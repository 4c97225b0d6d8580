"""Builds the row index on the CPU: breaks for GPU (here: meta) inputs."""
# component: cross_entropy
# expect-fail: device_agnostic
import torch


def cross_entropy(y_hat, y):
    rows = torch.arange(len(y_hat), device="cpu")
    return -torch.log(y_hat[rows, y.to("cpu")]).mean()
