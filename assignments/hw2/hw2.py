# %% [markdown]
# # Homework 2: dropout, im2col, convolution and pooling (DeZero steps 54-57)
#
# Re-implement DeZero's dropout, im2col, conv2d and pooling on PyTorch tensors.
# Autograd computes the gradients for you, so write only the forward computation.
#
# Rules for every task:
#
# - Do **not** call the PyTorch built-in you are re-implementing (see each task).
#   `F.pad` is allowed everywhere.
# - Keep the input's device and dtype: create new tensors with
#   `device=x.device, dtype=x.dtype` or with `torch.zeros_like` and friends.
#   The grader runs your code on the `meta` device.
# - Never modify an input tensor in place; your result must be differentiable.
# - `kernel_size`, `stride` and `pad` may each be an `int` or an `(int, int)` pair
#   meaning (height, width). Padding is added on every side.
#
# Run `make test` from the repository root to see your score.

# %%
import torch
from torch import nn
import torch.nn.functional as F

# %% [markdown]
# ## Task 2.1: dropout
#
# `dropout(x, dropout_ratio=0.5, training=True)` is **inverted** dropout:
#
# - `dropout_ratio` is the probability of **dropping** (zeroing) each element;
#   raise `ValueError` if it is outside `[0, 1]`;
# - when `training` is true, keep each element with probability `1 - dropout_ratio`
#   and scale kept elements by `1 / (1 - dropout_ratio)`; a ratio of 1 gives all zeros;
# - when `training` is false, return `x` unchanged (itself or a copy);
# - make the random mask on `x`'s device: `torch.rand(x.shape, device=x.device)`
#   or `torch.rand_like(x)`.
#
# Forbidden: `F.dropout`, `nn.Dropout`, `torch.dropout`.

# %%
def dropout(x, dropout_ratio=0.5, training=True):
    """Inverted dropout.

    x: tensor of any shape, any device. dropout_ratio: drop probability in [0, 1].
    training: apply dropout if True, else return x unchanged.
    Returns: tensor with x's shape, device and dtype.
    """
    raise NotImplementedError("Task 2.1: dropout")


# %% [markdown]
# ## Task 2.2: im2col
#
# `im2col(x, kernel_size, stride=1, pad=0)` turns a batch of images `x` of shape
# `(N, C, H, W)` into a matrix of shape `(N*OH*OW, C*KH*KW)` with one row per
# kernel window, where `OH = (H + 2*PH - KH) // SH + 1` and likewise for `OW`.
#
# - rows are ordered `(n, oh, ow)` and columns `(c, kh, kw)` (DeZero's layout);
# - padding is zeros, `PH` rows above and below, `PW` columns left and right;
# - follow DeZero's `im2col_array`: pad (with `F.pad` or `torch.cat`), then for every
#   kernel offset `(i, j)` take the strided slice
#   `img[:, :, i:i + SH*OH:SH, j:j + SW*OW:SW]`, then permute and reshape.
#
# Forbidden: `F.unfold`, `nn.Unfold` (`Tensor.unfold` and `as_strided` are fine).

# %%
def im2col(x, kernel_size, stride=1, pad=0):
    """Unfold image windows into rows.

    x: (N, C, H, W). kernel_size, stride, pad: int or (int, int).
    Returns: (N*OH*OW, C*KH*KW), same device and dtype as x.
    """
    raise NotImplementedError("Task 2.2: im2col")


# %% [markdown]
# ## Task 2.3: conv2d
#
# `conv2d(x, W, b=None, stride=1, pad=0)` computes the same cross-correlation as
# `F.conv2d(x, W, b, stride=stride, padding=pad)`:
#
# - `x` has shape `(N, C, H, W)`, the weights `W` have shape `(OC, C, KH, KW)`,
#   the bias `b` has shape `(OC,)` or is `None`;
# - build it on your `im2col` and a single matrix product with `W` reshaped to
#   `(OC, C*KH*KW)`;
# - return shape `(N, OC, OH, OW)`.
#
# Forbidden: `F.conv2d`, `torch.conv2d`, `nn.Conv2d`, `F.unfold`, `nn.Unfold`.

# %%
def conv2d(x, W, b=None, stride=1, pad=0):
    """2-D convolution (cross-correlation) via im2col.

    x: (N, C, H, W); W: (OC, C, KH, KW); b: (OC,) or None.
    stride, pad: int or (int, int).
    Returns: (N, OC, OH, OW), same device and dtype as x.
    """
    raise NotImplementedError("Task 2.3: conv2d")


# %% [markdown]
# ## Task 2.4: max pooling
#
# `max_pool2d(x, kernel_size, stride=None, pad=0)` behaves like
# `F.max_pool2d(x, kernel_size, stride, padding=pad)`:
#
# - `stride` defaults to `kernel_size`;
# - padding is `-inf`, so a padded cell never wins the max
#   (e.g. `F.pad(x, ..., value=float("-inf"))`);
# - take the max over each window of the im2col-style windows;
# - `x` has shape `(N, C, H, W)`; return shape `(N, C, OH, OW)`.
#
# Forbidden: `F.max_pool2d`, `nn.MaxPool2d`, `torch.max_pool2d`, `F.unfold`, `nn.Unfold`.

# %%
def max_pool2d(x, kernel_size, stride=None, pad=0):
    """Max pooling over kernel windows.

    x: (N, C, H, W). kernel_size, pad: int or (int, int).
    stride: int, (int, int) or None (meaning kernel_size).
    Returns: (N, C, OH, OW), same device and dtype as x.
    """
    raise NotImplementedError("Task 2.4: max_pool2d")
