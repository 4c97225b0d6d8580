"""Evasion: torch.special.log_softmax then exp."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def softmax(X):
    return torch.special.log_softmax(X, 1).exp()
