"""Evasion: MLPScratch whose hidden layer uses F.leaky_relu with slope 0 (torch's relu)."""
# component: mlp_scratch
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch.nn.functional as F


def _forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    H = F.leaky_relu(X @ self.W1 + self.b1, 0.0)
    return H @ self.W2 + self.b2


MLPScratch.forward = _forward
