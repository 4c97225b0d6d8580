"""Instructor's reference solutions for HW1 (d2l chapters 3-5), from scratch.

Written like micrograd: plain tensor ops only, so autograd does the calculus and
students can read every line. None of the torch built-ins that the homework
asks students to implement is used here.
"""
import torch
from torch import nn


def softmax(X):
    """Row-wise softmax of a 2-D (batch, classes) tensor.

    Subtracting the row max first leaves the result unchanged (it cancels in the
    ratio) but keeps exp() from overflowing for large logits.
    """
    X_exp = (X - X.max(dim=1, keepdim=True).values).exp()
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def cross_entropy(y_hat, y):
    """Mean negative log-probability of the true class.

    y_hat: (batch, classes) probabilities; y: (batch,) int64 labels.
    gather picks y_hat[i, y[i]] on whatever device y_hat lives on.
    """
    picked = y_hat.gather(1, y.unsqueeze(1)).squeeze(1)
    return -picked.log().mean()


class SGD:
    """Minibatch stochastic gradient descent, d2l style."""

    def __init__(self, params, lr):
        # list() so a generator such as model.parameters() is not used up.
        self.params = list(params)
        self.lr = lr

    def step(self):
        """Update every parameter in place: p <- p - lr * grad.

        no_grad so the update itself is not recorded by autograd, whether or
        not the caller already disabled it.
        """
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr * p.grad

    def zero_grad(self):
        """Reset gradients, which autograd otherwise accumulates across backward calls."""
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()


def relu(X):
    """Elementwise max(X, 0).

    where() rather than maximum() so the gradient at exactly 0 is 0 (as for
    torch.relu) and NaN passes through; zeros_like keeps device and dtype.
    """
    return torch.where(X <= 0, torch.zeros_like(X), X)


class MLPScratch(nn.Module):
    """One-hidden-layer MLP with hand-made parameters (d2l 5.2)."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.num_outputs = num_outputs
        self.num_hiddens = num_hiddens
        self.lr = lr
        self.sigma = sigma
        # Small random weights break the symmetry between hidden units.
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        """Flatten each example, then linear -> relu -> linear; returns logits."""
        X = X.reshape(-1, self.num_inputs)
        H = relu(X @ self.W1 + self.b1)
        return H @ self.W2 + self.b2
