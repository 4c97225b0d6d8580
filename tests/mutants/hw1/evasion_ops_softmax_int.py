"""Evasion: torch.ops.aten.softmax.int (an overload, not the default one)."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def softmax(X):
    return torch.ops.aten.softmax.int(X, 1)
