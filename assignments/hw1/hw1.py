# %% [markdown]
# # Homework 1: softmax regression and MLPs from scratch (d2l chapters 3-5)
#
# Implement each function and class below using plain tensor operations.
# Autograd computes the gradients for you, so write only the forward computation.
#
# Rules for every task:
#
# - Do **not** call the PyTorch built-in you are re-implementing (see each task).
# - Keep the input's device and dtype: create new tensors with
#   `device=x.device, dtype=x.dtype` or with `torch.zeros_like` and friends.
#   The grader runs your code on the `meta` device.
# - Never modify an input tensor in place; your result must be differentiable.
#
# Run `make test` from the repository root to see your score.

# %%
import torch
from torch import nn

# %% [markdown]
# ## Task 1.1: softmax
#
# `softmax(X)` takes a 2-D tensor `X` of shape `(batch, classes)` and returns a
# tensor of the same shape, device and dtype whose rows are the softmax of the
# rows of `X` (non-negative, each row sums to 1).
#
# It must be numerically stable: subtract each row's maximum before `exp`, so that
# float32 inputs as large as `|x| = 1e4` still give finite rows that sum to 1.
#
# Forbidden: `torch.softmax`, `F.softmax`, `Tensor.softmax`, `log_softmax`.

# %%
def softmax(X):
    """Row-wise softmax over dim 1.

    X: (batch, classes) floating tensor, any device.
    Returns: (batch, classes), same device and dtype as X; each row sums to 1.
    """
    raise NotImplementedError("Task 1.1: softmax")


# %% [markdown]
# ## Task 1.2: cross-entropy loss
#
# `cross_entropy(y_hat, y)` takes predicted **probabilities** `y_hat` of shape
# `(batch, classes)` and integer labels `y` of shape `(batch,)` (dtype int64), and
# returns the 0-dim mean over the batch of `-log y_hat[i, y[i]]`.
#
# Pick the entries with `y_hat.gather(1, y.unsqueeze(1))`, or index with
# `torch.arange(len(y), device=y_hat.device)`.
#
# Forbidden: `F.cross_entropy`, `F.nll_loss`, `nn.CrossEntropyLoss`, `nn.NLLLoss`.

# %%
def cross_entropy(y_hat, y):
    """Mean negative log-likelihood of the true classes.

    y_hat: (batch, classes) probabilities; y: (batch,) int64 labels in [0, classes).
    Returns: 0-dim tensor on y_hat's device and dtype, differentiable w.r.t. y_hat.
    """
    raise NotImplementedError("Task 1.2: cross_entropy")


# %% [markdown]
# ## Task 1.3: minibatch SGD
#
# `SGD(params, lr)` with methods `step()` and `zero_grad()`, as in d2l:
#
# - `__init__` stores `list(params)` (so a generator like `model.parameters()` works) and `lr`.
# - `step()` updates every parameter **in place**, `p -= lr * p.grad`, keeping the same
#   tensor objects. Wrap the update in `with torch.no_grad():` yourself, so it works
#   whether or not the caller already did. Skip parameters whose `grad` is `None`.
# - `zero_grad()` zeroes each gradient in place (or sets it to `None`) and must not
#   fail before the first `backward()`, when `grad` is `None`.
#
# Forbidden: anything from `torch.optim`.

# %%
class SGD:
    """Minibatch stochastic gradient descent.

    params: iterable of tensors with requires_grad=True; lr: learning rate (float).
    """

    def __init__(self, params, lr):
        raise NotImplementedError("Task 1.3: SGD.__init__")

    def step(self):
        """In place: p <- p - lr * p.grad for every param whose grad is not None."""
        raise NotImplementedError("Task 1.3: SGD.step")

    def zero_grad(self):
        """Zero (or set to None) every param's grad; must tolerate grad None."""
        raise NotImplementedError("Task 1.3: SGD.zero_grad")


# %% [markdown]
# ## Task 1.4: ReLU
#
# `relu(X)` returns `max(X, 0)` elementwise, with the same shape, device and dtype as `X`.
#
# Forbidden: `torch.relu`, `F.relu`, `Tensor.relu`, `nn.ReLU` (`clamp` is fine).

# %%
def relu(X):
    """Elementwise max(X, 0); any shape, same device and dtype as X."""
    raise NotImplementedError("Task 1.4: relu")


# %% [markdown]
# ## Task 1.5: MLP from scratch
#
# `MLPScratch(num_inputs, num_outputs, num_hiddens, lr, sigma=0.01)` is an
# `nn.Module` with one hidden layer:
#
# - store `num_inputs`, `num_outputs`, `num_hiddens`, `lr`, `sigma` as attributes;
# - parameters (each an `nn.Parameter`): `W1` of shape `(num_inputs, num_hiddens)`,
#   `b1` of shape `(num_hiddens,)`, `W2` of shape `(num_hiddens, num_outputs)`,
#   `b2` of shape `(num_outputs,)`; weights are `torch.randn(...) * sigma`, biases zeros;
# - `forward(X)` reshapes `X` to `(-1, num_inputs)`, computes the hidden layer
#   `H = relu(X @ W1 + b1)` with **your** `relu`, and returns the logits `H @ W2 + b2`
#   of shape `(batch, num_outputs)`.
#
# The grader also trains this model with your `SGD`, `softmax` and `cross_entropy`.
#
# Forbidden: `nn.Linear`, `F.linear`, `nn.ReLU`, `torch.relu`, `F.relu`.

# %%
class MLPScratch(nn.Module):
    """One-hidden-layer MLP with hand-made parameters W1, b1, W2, b2."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        raise NotImplementedError("Task 1.5: MLPScratch.__init__")

    def forward(self, X):
        """X: any shape with num_inputs features per example -> (batch, num_outputs) logits."""
        raise NotImplementedError("Task 1.5: MLPScratch.forward")
