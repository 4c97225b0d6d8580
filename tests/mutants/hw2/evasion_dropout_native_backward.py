"""Evasion: the student draws the mask, torch's native_dropout_backward does the masking
and scaling (x * mask / (1 - p))."""
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
    mask = torch.rand_like(x) >= dropout_ratio
    return torch.ops.aten.native_dropout_backward.default(x, mask, 1.0 / (1.0 - dropout_ratio))
