"""Degenerate: Correct parameters, forward returns zeros (still on the graph)."""
# component: mlp_scratch
# expect-at-most: 4
def _zero_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    return (X @ self.W1).sum() * 0 + X.new_zeros(X.shape[0], self.W2.shape[1])


MLPScratch.forward = _zero_forward
