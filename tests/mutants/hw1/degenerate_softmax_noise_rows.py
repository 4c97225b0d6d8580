"""Degenerate: input-shaped noise normalised into rows (ignores the values of X)."""
# component: softmax
# expect-at-most: 1
import torch


def softmax(X):
    g = torch.Generator().manual_seed(0)
    noise = torch.rand(X.shape, generator=g, dtype=X.dtype).to(X.device) + 0.1
    return noise / noise.sum(dim=1, keepdim=True) + 0 * X
