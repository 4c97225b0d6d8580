"""zero_grad assumes .grad exists: crashes before the first backward."""
# component: sgd
# expect-fail: zero_grad_before_first_backward, d2l_training_loop
import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            param.grad.zero_()
