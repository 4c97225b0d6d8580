"""Uses nn.Linear layers: must score 0."""
# component: mlp_scratch
# expect-fail: from_scratch
# expect-score: 0
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.hidden = nn.Linear(num_inputs, num_hiddens)
        self.out = nn.Linear(num_hiddens, num_outputs)

    def forward(self, X):
        return self.out(relu(self.hidden(X.reshape(-1, self.num_inputs))))
