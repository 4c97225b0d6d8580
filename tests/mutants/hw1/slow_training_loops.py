"""Correct but slow: an MLPScratch forward with an explicit Python loop over the batch.
The hidden training check has 40 s in the rubric; one request of it must not be cut at
the default 5 s per call."""
# component: mlp_scratch
# expect: full
import time

import torch


def _slow_forward(self, X):
    X = X.reshape(-1, self.num_inputs)
    rows = []
    for i in range(X.shape[0]):
        rows.append(relu(X[i:i + 1] @ self.W1 + self.b1) @ self.W2 + self.b2)
    if X.shape[0] == 50 and X.dtype == torch.float32:
        time.sleep(0.05)   # slow enough that 20 epochs x 6 batches exceed 5 s
    return torch.cat(rows)


MLPScratch.forward = _slow_forward
