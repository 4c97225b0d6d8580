"""Correct dropout whose mask is drawn with numpy and moved to x.device (slow on a GPU,
but correct: values, rate, scaling, gradient and device all hold)."""
# component: dropout
# expect: full
import numpy as np
import torch


def dropout(x, dropout_ratio=0.5, training=True):
    if not 0 <= dropout_ratio <= 1:
        raise ValueError(f"dropout_ratio must be in [0, 1], got {dropout_ratio}")
    if not training:
        return x
    if dropout_ratio == 1:
        return torch.zeros_like(x)
    keep = np.random.rand(*x.shape) >= dropout_ratio
    mask = torch.from_numpy(keep).to(device=x.device, dtype=x.dtype)
    return x * mask / (1 - dropout_ratio)
