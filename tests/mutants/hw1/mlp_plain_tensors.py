"""Weights as plain tensors with requires_grad, not nn.Parameter: never registered."""
# component: mlp_scratch
# expect-fail: parameters_registered, device_agnostic
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.W1 = (torch.randn(num_inputs, num_hiddens) * sigma).requires_grad_()
        self.b1 = torch.zeros(num_hiddens, requires_grad=True)
        self.W2 = (torch.randn(num_hiddens, num_outputs) * sigma).requires_grad_()
        self.b2 = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        X = X.reshape(-1, self.num_inputs)
        return relu(X @ self.W1 + self.b1) @ self.W2 + self.b2
