"""Degenerate: Correct parameters, forward returns a slice of the input."""
# component: mlp_scratch
# expect-at-most: 4
def _slice_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    return X[:, :self.W2.shape[1]] * 1.0


MLPScratch.forward = _slice_forward
