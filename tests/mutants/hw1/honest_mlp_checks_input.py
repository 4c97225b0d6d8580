"""Correct MLPScratch whose forward validates its input with .item()."""
# component: mlp_scratch
# expect: full
import torch


def _checked_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    if X.shape[0] and bool(torch.isnan(X).any().item()):
        raise ValueError("NaN in the batch")
    return relu(X @ self.W1 + self.b1) @ self.W2 + self.b2


setattr(MLPScratch, "forward", _checked_forward)
