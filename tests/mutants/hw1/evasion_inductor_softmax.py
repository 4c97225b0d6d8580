"""Evasion: F.softmax inside torch.compile with the default (inductor) backend."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


@torch.compile
def _soft(X):
    return F.softmax(X, dim=1)


def softmax(X):
    return _soft(X)
