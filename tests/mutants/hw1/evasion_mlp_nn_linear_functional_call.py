"""Evasion: MLPScratch whose forward runs torch.nn.Linear layers via torch.func.functional_call."""
# component: mlp_scratch
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
from torch import nn
from torch.func import functional_call

_layer = nn.Linear(1, 1)


def _forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    H = relu(functional_call(_layer, {"weight": self.W1.T, "bias": self.b1}, (X,)))
    return functional_call(_layer, {"weight": self.W2.T, "bias": self.b2}, (H,))


MLPScratch.forward = _forward
