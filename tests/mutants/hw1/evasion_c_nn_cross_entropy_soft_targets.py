"""Evasion: torch._C._nn.cross_entropy_loss with one-hot (probability) targets on log y_hat."""
# component: cross_entropy
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def cross_entropy(y_hat, y):
    target = F.one_hot(y, y_hat.shape[1]).to(y_hat.dtype)
    # log_softmax(log y_hat) is log y_hat for rows that sum to 1; reduction 1 = mean
    return torch._C._nn.cross_entropy_loss(y_hat.log(), target, None, 1, -100, 0.0)
