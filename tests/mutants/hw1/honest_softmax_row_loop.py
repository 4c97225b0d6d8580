"""Correct softmax written as a Python loop over rows, stacked back together."""
# component: softmax
# expect: full
import torch


def softmax(X):
    rows = []
    for row in X:
        e = (row - row.max()).exp()
        rows.append(e / e.sum())
    return torch.stack(rows)
