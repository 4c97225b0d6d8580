"""Correct softmax with max(1)[0][:, None] broadcasting and Tensor.div."""
# component: softmax
# expect: full
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max(1)[0][:, None])
    partition = X_exp.sum(1)[:, None]
    return X_exp.div(partition)
