"""Correct SGD in d2l's style: a d2l.HyperParameters subclass, params kept as a list."""
# component: sgd
# expect: full
import torch
from d2l import torch as d2l


class SGD(d2l.HyperParameters):
    def __init__(self, params, lr):
        params = list(params)
        self.save_hyperparameters()

    def step(self):
        for param in self.params:
            if param.grad is not None:
                with torch.no_grad():
                    param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
