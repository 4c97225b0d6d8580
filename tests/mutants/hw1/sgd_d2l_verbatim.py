"""d2l's SGD: keeps the generator and relies on the caller's no_grad."""
# component: sgd
# expect-fail: step_outside_no_grad, accepts_generator
# expect-score: 8
class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
