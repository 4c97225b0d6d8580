"""d2l's SGD: keeps the generator, relies on the caller's no_grad and updates a
parameter whose grad is None."""
# component: sgd
# expect-fail: step_outside_no_grad, accepts_generator, zero_grad_before_first_backward
# expect-score: 7
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
