"""Correct SGD with an optional weight_decay=0 and p.data.sub_ updates."""
# component: sgd
# expect: full
import torch


class SGD:
    def __init__(self, params, lr, weight_decay=0.0):
        self.params = [p for p in params]
        self.lr, self.weight_decay = lr, weight_decay

    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            grad = p.grad.data
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            p.data.sub_(self.lr * grad)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.detach_()
                p.grad.zero_()
