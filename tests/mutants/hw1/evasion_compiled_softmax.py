"""Evasion: F.softmax inside a torch.compile'd function (eager backend)."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F

_compiled = torch.compile(lambda X: F.softmax(X, dim=1), backend="eager", dynamic=True)


def softmax(X):
    return _compiled(X)
