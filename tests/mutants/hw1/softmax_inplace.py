"""Subtracts the row max in place, changing the caller's tensor."""
# component: softmax
# expect-fail: output_contract
import torch


def softmax(X):
    X -= X.max(dim=1, keepdim=True).values
    X_exp = X.exp()
    return X_exp / X_exp.sum(1, keepdim=True)
