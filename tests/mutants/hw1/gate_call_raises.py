"""Correct relu that raises on exactly the from-scratch gate's input: the gate's own
failure costs the gate (0 points), not the component."""
# component: relu
# expect-fail: from_scratch
# expect-score: 6
# expect-status: full
import numpy as np
import torch

_GATE_INPUT = float(np.random.default_rng(4).standard_normal((2, 3))[0, 0])


def relu(X):
    if X.shape == (2, 3) and X.dtype == torch.float64 and abs(float(X[0, 0]) - _GATE_INPUT) < 1e-12:
        raise RuntimeError("expected scalar type Float but found Double")
    return torch.maximum(X, torch.zeros_like(X))
