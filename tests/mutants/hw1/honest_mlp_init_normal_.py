"""Correct MLPScratch: nn.init.normal_ on empty tensors, setattr-added forward."""
# component: mlp_scratch
# expect: full
import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        for name, value in dict(num_inputs=num_inputs, num_outputs=num_outputs,
                                num_hiddens=num_hiddens, lr=lr, sigma=sigma).items():
            setattr(self, name, value)
        self.W1 = nn.Parameter(nn.init.normal_(torch.empty(num_inputs, num_hiddens), std=sigma))
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(nn.init.normal_(torch.empty(num_hiddens, num_outputs), std=sigma))
        self.b2 = nn.Parameter(torch.zeros(num_outputs))


def _forward(self, X):
    H = relu(X.reshape(-1, self.num_inputs).mm(self.W1) + self.b1)
    return H.mm(self.W2).add(self.b2)


setattr(MLPScratch, "forward", _forward)
