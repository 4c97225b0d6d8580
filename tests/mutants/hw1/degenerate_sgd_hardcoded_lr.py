"""Degenerate: ignores the lr it is given and always steps with 0.1."""
# component: sgd
# expect-at-most: 1
# expect-hint: instead of the lr=
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= 0.1 * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
