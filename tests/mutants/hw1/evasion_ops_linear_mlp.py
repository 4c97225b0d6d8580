"""Evasion: the affine layers through torch.ops.aten.linear.default."""
# component: mlp_scratch
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def _forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    H = relu(torch.ops.aten.linear.default(X, self.W1.T, self.b1))
    return torch.ops.aten.linear.default(H, self.W2.T, self.b2)


MLPScratch.forward = _forward
