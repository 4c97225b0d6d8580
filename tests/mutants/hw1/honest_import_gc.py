"""Correct softmax in a file that imports gc (to free memory between experiments)."""
# component: softmax
# expect: full
import gc

import torch


def softmax(X):
    gc.collect
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)
