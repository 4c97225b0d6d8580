"""Divides by the sum of the whole matrix instead of each row's sum."""
# component: softmax
# expect-fail: matches_reference_float64
# expect-hint: WHOLE matrix
import torch


def softmax(X):
    e = torch.exp(X - X.max())
    return e / e.sum()
