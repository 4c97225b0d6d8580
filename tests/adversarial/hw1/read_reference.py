"""Tries to read the reference solution and the hidden checks from disk."""
# component: softmax
# expect-fail: matches_reference_float64
import os

import torch

_found = {}
for root in {os.environ.get("PWD", ""), os.getcwd()}:  # the grading repo
    for name in ("reference/hw1.py", "grader/checks/hw1/test_softmax.py"):
        try:
            with open(os.path.join(root, name)) as handle:
                _found[name] = handle.read()
        except OSError:
            pass
if "reference/hw1.py" in _found:
    exec(_found["reference/hw1.py"])
else:
    def softmax(X):
        return torch.full_like(X, 0.5)
