"""Correct SGD with a momentum=0 default and a velocity buffer (add_ with alpha)."""
# component: sgd
# expect: full
import torch


class SGD:
    def __init__(self, params, lr, momentum=0.0):
        self.params = tuple(params)
        self.lr, self.momentum = lr, momentum
        self.velocity = [None] * len(self.params)

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                v = p.grad.clone() if self.velocity[i] is None or not self.momentum \
                    else self.velocity[i].mul_(self.momentum).add_(p.grad)
                self.velocity[i] = v
                p.add_(v, alpha=-self.lr)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
