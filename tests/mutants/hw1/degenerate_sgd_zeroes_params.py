"""Degenerate: step() zeroes every parameter in place; zero_grad drops the gradients."""
# component: sgd
# expect-at-most: 1
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                p.zero_()

    def zero_grad(self):
        for p in self.params:
            p.grad = None
