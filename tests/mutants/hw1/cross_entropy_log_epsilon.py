"""-log(p + 1e-8) "for safety": off by more than rounding where p is small."""
# component: cross_entropy
# expect-fail: matches_reference_float64
# expect-hint: epsilon added inside the log
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[torch.arange(len(y), device=y_hat.device), y] + 1e-8).mean()
