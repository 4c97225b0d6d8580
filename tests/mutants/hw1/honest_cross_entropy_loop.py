"""Correct cross_entropy as a Python loop over the batch (reads labels with int())."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    total = y_hat.new_zeros(())
    for i in range(len(y)):
        total = total - torch.log(y_hat[i, int(y[i])])
    return total / len(y)
