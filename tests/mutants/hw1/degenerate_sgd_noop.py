"""Degenerate: An optimiser whose step and zero_grad do nothing."""
# component: sgd
# expect-at-most: 1
class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        pass

    def zero_grad(self):
        pass
