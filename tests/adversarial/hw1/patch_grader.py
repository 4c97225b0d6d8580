"""Imports the grader's worker modules to switch off the from-scratch watch.

The import gets a fresh copy (ours left sys.modules), so patching it changes
nothing: F.softmax is still seen and softmax scores 0; the import itself is
only flagged for the instructor, so the honest components keep their points.
"""
# component: softmax
# expect-score: 0
# expect-status: banned
import contextlib

import torch.nn.functional as F

try:
    import grader.scratch
    grader.scratch.watch = lambda bans, hits: contextlib.nullcontext()
except ImportError:
    pass


def softmax(X):
    return F.softmax(X, dim=1)
