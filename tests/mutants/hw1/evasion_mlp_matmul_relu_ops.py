"""Evasion: MLPScratch with torch._C._nn.linear (the binding below F.linear)."""
# component: mlp_scratch
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def _forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    H = relu(torch._C._nn.linear(X, self.W1.T, self.b1))
    return torch._C._nn.linear(H, self.W2.T, self.b2)


MLPScratch.forward = _forward
