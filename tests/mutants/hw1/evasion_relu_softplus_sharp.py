"""Evasion: F.softplus with a huge beta and threshold 0 is max(x, 0) to float64 precision."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def relu(X):
    return F.softplus(X, beta=1e12, threshold=0.0)
