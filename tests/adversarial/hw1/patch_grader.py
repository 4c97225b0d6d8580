"""Imports the grader's worker modules to switch off the from-scratch watch."""
# component: softmax
# expect-score: 0
# expect-status: banned
# others: zero
import contextlib

import torch.nn.functional as F

try:
    import grader.scratch
    grader.scratch.watch = lambda bans, hits: contextlib.nullcontext()
except ImportError:
    pass


def softmax(X):
    return F.softmax(X, dim=1)
