"""softmax returns a torch.Tensor subclass that claims equality with anything."""
# component: softmax
# expect-score: 0
import torch


class Liar(torch.Tensor):
    def __eq__(self, other):
        return torch.ones_like(self, dtype=torch.bool)


def softmax(X):
    return torch.zeros_like(X).as_subclass(Liar)
