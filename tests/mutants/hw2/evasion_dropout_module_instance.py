"""Evasion: an nn.modules.dropout.Dropout2d instance on a reshaped view (channel = element)."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.modules.dropout as drop


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError("ratio")
    if not training:
        return x
    layer = drop.Dropout2d(dropout_ratio)
    return layer(x.reshape(1, -1, 1, 1)).reshape(x.shape)
