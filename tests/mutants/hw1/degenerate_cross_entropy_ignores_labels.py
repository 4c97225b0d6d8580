"""Degenerate: ignores the labels and scores the last class of every row."""
# component: cross_entropy
# expect-at-most: 1
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[:, -1]).mean()
