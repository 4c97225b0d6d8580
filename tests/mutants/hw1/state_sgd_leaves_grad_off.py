"""A correct SGD whose step() switches autograd off and never switches it back on; the
damage must not reach the checks of other components (a softmax gradient check)."""
# component: sgd
# expect: full
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        torch.set_grad_enabled(False)
        for p in self.params:
            if p.grad is not None:
                p -= self.lr * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
