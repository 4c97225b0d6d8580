"""Treats the probabilities y_hat as logits (log_softmax first)."""
# component: cross_entropy
# expect-fail: matches_reference_float64
# expect-hint: treated as logits
import torch


def cross_entropy(y_hat, y):
    log_p = y_hat - torch.logsumexp(y_hat, dim=1, keepdim=True)
    return -log_p[torch.arange(len(y), device=y_hat.device), y].mean()
