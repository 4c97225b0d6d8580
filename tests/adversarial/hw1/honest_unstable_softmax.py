"""d2l's textbook softmax: correct, but exp overflows for large inputs."""
# component: softmax
# honest: true
# expect-fail: numerically_stable
# expect-score: 9
import torch


def softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)
