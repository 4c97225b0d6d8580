"""Correct SGD keeping lr as a 0-dim tensor (float32) and stepping under no_grad."""
# component: sgd
# expect: full
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = torch.tensor(lr)

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr.to(p.device) * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
