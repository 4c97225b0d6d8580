"""Prints a hidden check's inputs (the training check's test set reaching MLPScratch.forward),
and writes them over the output printed before: neither may reach the student's feedback."""
# component: mlp_scratch
# expect: full
import os as _os

_forward = MLPScratch.forward


def _leaky_forward(self, X):
    if getattr(X, "shape", (0,))[0] == 300:   # only the hidden training check's test set
        secret = "ESCAPED hidden input " + str(X.flatten()[:4].tolist()) + "\n"
        print(secret)
        _os.pwrite(1, secret.encode(), 0)
    return _forward(self, X)


MLPScratch.forward = _leaky_forward
