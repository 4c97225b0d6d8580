"""Correct but different: gather-based cross entropy."""
# component: cross_entropy
# expect: full
import torch


def cross_entropy(y_hat, y):
    return -y_hat.gather(1, y.view(-1, 1)).log().mean()
