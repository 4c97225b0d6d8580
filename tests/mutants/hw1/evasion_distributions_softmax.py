"""Evasion: torch.distributions.Categorical(logits=X).probs."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def softmax(X):
    return torch.distributions.Categorical(logits=X, validate_args=False).probs
