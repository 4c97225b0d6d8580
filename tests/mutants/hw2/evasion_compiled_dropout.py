"""Evasion: torch.compile of a function calling F.dropout."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


@torch.compile(backend="eager")
def _drop(x, p):
    return F.dropout(x, p, True)


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    return _drop(x, dropout_ratio)
