"""Evasion: F.threshold(X, 0, 0) is relu under another name."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def relu(X):
    return F.threshold(X, 0.0, 0.0)
