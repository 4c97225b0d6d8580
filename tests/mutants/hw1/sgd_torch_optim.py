"""Wraps torch.optim.SGD: must score 0."""
# component: sgd
# expect-fail: from_scratch
# expect-score: 0
import torch


class SGD:
    def __init__(self, params, lr):
        self._opt = torch.optim.SGD(list(params), lr=lr)

    def step(self):
        self._opt.step()

    def zero_grad(self):
        self._opt.zero_grad()
