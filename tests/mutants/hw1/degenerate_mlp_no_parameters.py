"""Degenerate: A module with no parameters whose forward returns zeros."""
# component: mlp_scratch
# expect-at-most: 0
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.num_outputs = num_inputs, num_outputs

    def forward(self, X):
        return torch.zeros(X.reshape(-1, self.num_inputs).shape[0], self.num_outputs,
                           dtype=X.dtype, device=X.device)
