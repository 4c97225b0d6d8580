"""Evasion: a torch.nn.modules.activation.Softmax instance (module, not functional)."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.modules.activation as activation


def softmax(X):
    return activation.Softmax(dim=1)(X)
