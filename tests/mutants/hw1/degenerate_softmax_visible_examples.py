"""Degenerate: correct only on the check's visible large example, uniform otherwise."""
# component: softmax
# expect-at-most: 1
import torch

_KNOWN = torch.tensor([[1000.0, 999.0, -1000.0], [-500.0, -501.0, -590.0], [85.0, -85.0, 84.0]])


def softmax(X):
    if X.shape == _KNOWN.shape and torch.equal(X.float(), _KNOWN):
        Z = X.double() - X.double().max(1, keepdim=True).values
        return (Z.exp() / Z.exp().sum(1, keepdim=True)).to(X.dtype)
    return torch.ones_like(X) / X.shape[1] + X * 0
