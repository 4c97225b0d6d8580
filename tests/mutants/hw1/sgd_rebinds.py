"""Rebinds a local name instead of updating the parameter in place."""
# component: sgd
# expect-fail: one_step, updates_in_place, d2l_training_loop
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param = param - self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
