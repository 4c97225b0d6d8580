"""Walks up the call stack to find and disable the watch in the worker's frames."""
# component: softmax
# expect-score: 0
# expect-status: banned
# others: zero
import sys

import torch.nn.functional as F


def softmax(X):
    frame = sys._getframe(1)
    while frame is not None:
        frame.f_globals.pop("scratch", None)
        frame = frame.f_back
    return F.softmax(X, dim=1)
