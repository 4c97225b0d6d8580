"""Correct relu; its demo, which never runs while grading, imports gc."""
# component: relu
# expect: full
import torch


def relu(X):
    return torch.maximum(X, torch.zeros_like(X))


if __name__ == "__main__":
    import gc
    print(relu(torch.randn(3)), gc.get_count())
