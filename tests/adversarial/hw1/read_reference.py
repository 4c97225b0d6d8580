"""Tries to read the reference solution and the hidden checks from disk.

It looks in the grading checkout itself (``@REPO@``, filled in by
tests/test_adversarial.py) as well as the working directory, and says what it
tried, so the test knows it ran wherever the grader was started.
"""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
import os

import torch

_found = {}
for root in sorted({"@REPO@", os.environ.get("PWD", ""), os.getcwd()}):
    for name in ("reference/hw1.py", "grader/checks/hw1/test_softmax.py"):
        path = os.path.join(root, name)
        try:
            with open(path) as handle:
                _found[name] = handle.read()
            print(f"ESCAPED read {path}", flush=True)
        except OSError as exc:
            print(f"read_reference: {path}: {type(exc).__name__}", flush=True)
if "reference/hw1.py" in _found:
    exec(_found["reference/hw1.py"])
else:
    def softmax(X):
        return torch.full_like(X, 0.5)
