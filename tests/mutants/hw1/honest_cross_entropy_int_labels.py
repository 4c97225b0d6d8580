"""Correct cross_entropy that reads each label as a Python int (int(y[i])): it cannot
run on the meta device, which holds no values, and must keep the device point."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    picked = [y_hat[i, int(y[i])] for i in range(len(y))]
    return -torch.log(torch.stack(picked)).mean()
