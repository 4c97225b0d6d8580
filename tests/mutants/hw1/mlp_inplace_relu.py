"""ReLU applied in place on a tensor autograd saved: backward breaks."""
# component: mlp_scratch
# expect-fail: parameter_gradients, learns_with_own_pieces
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape(-1, self.num_inputs)
        H = (X @ self.W1 + self.b1).exp()
        H.log_().clamp_(min=0)
        return H @ self.W2 + self.b2
