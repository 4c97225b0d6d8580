"""Correct SGD: @torch.no_grad() on step, torch._foreach_add_ with alpha=-lr."""
# component: sgd
# expect: full
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    @torch.no_grad()
    def step(self):
        live = [p for p in self.params if p.grad is not None]
        if live:
            torch._foreach_add_(live, [p.grad for p in live], alpha=-self.lr)

    def zero_grad(self):
        for p in self.params:
            p.grad = None
