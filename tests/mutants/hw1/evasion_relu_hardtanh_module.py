"""Evasion: an nn.Hardtanh(0, inf) module instance (relu in another form)."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn as nn


def relu(X):
    return nn.Hardtanh(0.0, float("inf"))(X)
