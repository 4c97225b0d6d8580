"""Correct but different: a from-scratch softmax installed as F.softmax at the top of
the notebook and called through that name.  No built-in softmax ever runs, so nothing
banned is computed (the watch resolves banned names before student code runs)."""
# component: softmax
# expect: full
import torch
import torch.nn.functional as F


def _own_softmax(X, dim=1):
    e = torch.exp(X - X.max(dim=dim, keepdim=True).values)
    return e / e.sum(dim=dim, keepdim=True)


F.softmax = _own_softmax


def softmax(X):
    return F.softmax(X, dim=1)
