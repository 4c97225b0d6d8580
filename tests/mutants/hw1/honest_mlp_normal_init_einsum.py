"""Correct MLPScratch: torch.normal init, flatten(1), einsum products."""
# component: mlp_scratch
# expect: full
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.num_outputs, self.num_hiddens = num_inputs, num_outputs, num_hiddens
        self.lr, self.sigma = lr, sigma
        self.W1 = nn.Parameter(torch.normal(0.0, sigma, size=(num_inputs, num_hiddens)))
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.normal(0.0, sigma, size=(num_hiddens, num_outputs)))
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.flatten(start_dim=1) if X.dim() > 2 else X
        H = relu(torch.einsum("ni,ih->nh", X, self.W1) + self.b1)
        return torch.einsum("nh,ho->no", H, self.W2) + self.b2
