"""Correct softmax: exp of the shifted rows, normalised with F.normalize(p=1)."""
# component: softmax
# expect: full
import torch.nn.functional as F


def softmax(X):
    e = (X - X.amax(dim=1, keepdim=True)).exp()
    return F.normalize(e, p=1, dim=1)
