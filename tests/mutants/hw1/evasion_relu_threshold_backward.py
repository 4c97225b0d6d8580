"""Evasion: relu's own backward kernel, threshold_backward(X, X, 0) = X where X > 0, else 0."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def relu(X):
    return torch.ops.aten.threshold_backward.default(X, X, 0.0)
