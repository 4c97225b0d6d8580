"""Evasion: torch.func.vmap over rows of torch.softmax."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
from torch.func import vmap


def softmax(X):
    return vmap(lambda row: torch.softmax(row, 0))(X)
