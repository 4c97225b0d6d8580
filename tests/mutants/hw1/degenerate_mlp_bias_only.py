"""Degenerate: correct parameters, forward returns the output bias for every example."""
# component: mlp_scratch
# expect-at-most: 4
def _bias_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    return self.b2.expand(X.shape[0], -1) + 0 * (X @ self.W1).sum() + 0 * self.W2.sum() \
        + 0 * self.b1.sum()


MLPScratch.forward = _bias_forward
