"""Correct, decorated with torch.compile: graded as the function it wraps (in the box
torch.compile runs the function as written), so it keeps full marks."""
# component: softmax
# expect: full
import torch


@torch.compile
def softmax(X):
    E = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)
