"""Evasion: cross-entropy as F.kl_div against one-hot targets."""
# component: cross_entropy
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def cross_entropy(y_hat, y):
    target = F.one_hot(y, y_hat.shape[1]).to(y_hat.dtype)
    return F.kl_div(y_hat.log(), target, reduction="batchmean")
