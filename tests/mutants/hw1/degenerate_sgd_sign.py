"""Degenerate: steps by lr * sign(grad) (ignores the gradient's size)."""
# component: sgd
# expect-at-most: 1
# expect-hint: not by -lr * grad
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr * p.grad.sign()

    def zero_grad(self):
        for p in self.params:
            p.grad = None
