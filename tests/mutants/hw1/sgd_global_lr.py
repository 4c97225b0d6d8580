"""Uses a notebook-level lr instead of the one given to SGD(params, lr)."""
# component: sgd
# expect-fail: update_rule
# expect-hint: instead of the lr=
import torch

lr = 0.1


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= lr * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
