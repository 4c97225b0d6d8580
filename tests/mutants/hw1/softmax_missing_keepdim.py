"""Row sums without keepdim broadcast along the wrong axis."""
# component: softmax
# expect-fail: rows_sum_to_one, matches_reference_float64
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(1)
