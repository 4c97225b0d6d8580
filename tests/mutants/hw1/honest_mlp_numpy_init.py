"""Correct MLPScratch whose weights are drawn with numpy (np.random.randn * sigma) and
converted to float32 parameters."""
# component: mlp_scratch
# expect: full
import numpy as np
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.num_outputs, self.num_hiddens = num_inputs, num_outputs, num_hiddens
        self.lr, self.sigma = lr, sigma
        self.W1 = nn.Parameter(torch.from_numpy(np.random.randn(num_inputs, num_hiddens) * sigma).float())
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.from_numpy(np.random.randn(num_hiddens, num_outputs) * sigma).float())
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape(-1, self.num_inputs)
        return relu(X @ self.W1 + self.b1) @ self.W2 + self.b2
