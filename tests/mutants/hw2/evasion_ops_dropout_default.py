"""Evasion: torch.ops.aten.dropout.default (decomposes on the CPU before a dispatch mode sees it)."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    return torch.ops.aten.dropout.default(x, dropout_ratio, training)
