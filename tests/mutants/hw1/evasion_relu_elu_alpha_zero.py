"""Evasion: F.elu with alpha=0 is max(x, 0)."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def relu(X):
    return F.elu(X, alpha=0.0)
