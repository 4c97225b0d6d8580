"""Evasion: torch.ops.aten.native_dropout.default (the fused kernel returning (out, mask))."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    return torch.ops.aten.native_dropout.default(x, dropout_ratio, True)[0]
