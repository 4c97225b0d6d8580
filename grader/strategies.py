"""Hypothesis strategies for graded inputs, as small composable functions.

Values are bounded and finite (no NaN, inf or subnormals) unless a check is
about them; shapes are small so a failing case shrinks to something a student
can read.  Tensors are built from numpy arrays drawn by hypothesis, so the
same cases come out on every machine (no torch RNG involved).
"""
import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def finite(bound: float, width: int = 64) -> st.SearchStrategy:
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False, width=width)


def tensors(shape, dtype=torch.float64, bound: float = 20.0) -> st.SearchStrategy:
    """Tensors of a fixed or drawn ``shape`` with entries in [-bound, bound]."""
    width = 32 if dtype == torch.float32 else 64
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
    return hnp.arrays(np_dtype, shape, elements=finite(bound, width)).map(
        lambda a: torch.from_numpy(a.copy()).to(dtype))


def matrices(dtype=torch.float64, bound: float = 20.0, max_rows: int = 6,
             max_cols: int = 6, min_cols: int = 1) -> st.SearchStrategy:
    shapes = st.tuples(st.integers(1, max_rows), st.integers(min_cols, max_cols))
    return shapes.flatmap(lambda shape: tensors(shape, dtype, bound))


def seeds() -> st.SearchStrategy:
    return st.integers(0, 2**16)


def gaussian(shape, seed: int, dtype=torch.float64, scale: float = 1.0) -> torch.Tensor:
    """A reproducible normal tensor: numpy's PCG64 is the same on every machine."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.standard_normal(tuple(shape)) * scale).to(dtype)


def distinct(shape, seed: int, dtype=torch.float64, gap: float = 0.1) -> torch.Tensor:
    """Entries all different, at least ``gap`` apart: no ties for max, no kinks for gradients."""
    rng = np.random.default_rng(seed)
    count = int(np.prod(shape))
    values = (rng.permutation(count) - count / 2 + 0.5) * gap  # never exactly 0
    return torch.from_numpy(values.reshape(shape)).to(dtype)


def away_from_zero(shape, seed: int, dtype=torch.float64, margin: float = 0.05) -> torch.Tensor:
    """Normal entries pushed at least ``margin`` away from 0 (the ReLU kink)."""
    x = gaussian(shape, seed, dtype)
    return x + torch.where(x >= 0, margin, -margin).to(dtype)


@st.composite
def labels_for(draw, batch: int, classes: int) -> torch.Tensor:
    values = draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    return torch.tensor(values, dtype=torch.int64)


@st.composite
def probabilities(draw, dtype=torch.float64, max_rows: int = 6, max_cols: int = 6):
    """Rows of strictly positive probabilities (a softmax of bounded logits)."""
    logits = draw(matrices(torch.float64, bound=5.0, max_rows=max_rows, max_cols=max_cols))
    return torch.softmax(logits, dim=1).to(dtype)


@st.composite
def conv_configs(draw, max_batch: int = 2, max_channels: int = 3, max_side: int = 7):
    """A valid convolution/pooling configuration, built rather than filtered.

    Returns dict(N, C, H, W, kernel, stride, pad) where kernel/stride/pad are
    (int, int) pairs and the output is at least 1x1.
    """
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), max_side))
    w = draw(st.integers(max(1, kw - 2 * pw), max_side))
    return dict(N=draw(st.integers(1, max_batch)), C=draw(st.integers(1, max_channels)),
                H=h, W=w, kernel=(kh, kw), stride=(sh, sw), pad=(ph, pw))
