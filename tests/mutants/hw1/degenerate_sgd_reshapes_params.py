"""Hostile: the step flattens every parameter; the checks that compare parameters must
fail (counted), not raise inside the grader and drop out of the maximum."""
# component: sgd
# expect-at-most: 1
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p.data = (p - self.lr * p.grad).reshape(-1)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
