"""Evasion: torch.feature_dropout."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    return torch.feature_dropout(x, dropout_ratio, training)
