"""Evasion: torch's modes switched off with computed names before calling F.softmax."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import importlib

import torch

_disable = getattr(torch._C, "DisableTorch" + "Function")
_dispatch = importlib.import_module("torch.utils._python" + "_dispatch")


def softmax(X):
    with _disable(), getattr(_dispatch, "_disable_current" + "_modes")():
        return getattr(torch.nn.functional, "soft" + "max")(X, dim=1)
