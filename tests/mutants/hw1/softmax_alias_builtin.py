"""Calls F.softmax through getattr on an aliased module: must score 0."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
import importlib

_f = getattr(importlib.import_module("torch.nn." + "functional"), "soft" + "max")


def softmax(X):
    return _f(X, dim=1)
