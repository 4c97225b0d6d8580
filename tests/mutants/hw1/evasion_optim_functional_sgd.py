"""Evasion: torch.optim._functional.sgd (the functional form of torch.optim.SGD)."""
# component: sgd
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import importlib

import torch

_functional = importlib.import_module("torch.optim._functional")


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            live = [p for p in self.params if p.grad is not None]
            _functional.sgd(live, [p.grad for p in live], [None] * len(live),
                            weight_decay=0.0, momentum=0.0, lr=self.lr, dampening=0.0,
                            nesterov=False, maximize=False)

    def zero_grad(self):
        for p in self.params:
            p.grad = None
