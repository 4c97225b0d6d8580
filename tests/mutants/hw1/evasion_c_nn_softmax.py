"""Evasion: torch._softmax reached through torch.ops with computed names."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def softmax(X):
    op = getattr(getattr(torch.ops.aten, "_soft" + "max"), "default")
    return op(X, 1, False)
