"""Softmax normalised over dim 0 (columns) instead of dim 1 (rows)."""
# component: softmax
# expect-fail: rows_sum_to_one, matches_reference_float64, shift_invariance
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(0, keepdim=True)
