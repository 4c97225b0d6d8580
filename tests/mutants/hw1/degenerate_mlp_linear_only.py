"""Degenerate: forward skips the hidden layer (X W1 W2 + b2 with the relu and b1 left out)."""
# component: mlp_scratch
# expect-at-most: 4
def _linear_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    return X @ (self.W1 @ self.W2) + self.b2 + 0 * self.b1.sum()


MLPScratch.forward = _linear_forward
