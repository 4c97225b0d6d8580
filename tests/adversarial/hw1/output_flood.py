"""Prints far more than the output cap."""
# component: softmax
# expect: full
import torch

for _ in range(2000):
    print("x" * 10_000)


def softmax(X):
    e = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
