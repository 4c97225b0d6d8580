"""Evasion: F.rrelu in eval mode with both slopes 0 (a leaky relu of slope 0)."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def relu(X):
    return F.rrelu(X, lower=0.0, upper=0.0, training=False)
