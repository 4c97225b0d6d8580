"""Hidden im2col check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw2.test_im2col import _diagnose, _suffix
from grader.errors import CheckFailure
from grader.student import expect_tensor


@settings(max_examples=8)
@given(kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       tiles=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       batch=st.tuples(st.integers(1, 2), st.integers(1, 3)), seed=gs.seeds())
def test_tiling_is_permutation(student, kernel, tiles, batch, seed):
    """kernel = stride, no padding, sides multiple of the kernel: every pixel exactly once."""
    shape = (batch[0], batch[1], kernel[0] * tiles[0], kernel[1] * tiles[1])
    x = gs.distinct(shape, seed)
    what = f"im2col(x of shape {shape}, {kernel}, stride={kernel})"
    got = expect_tensor(student.call("im2col", x, kernel, stride=kernel, pad=0), what)
    if got.numel() != x.numel() or not torch.equal(got.reshape(-1).sort().values,
                                                    x.reshape(-1).sort().values):
        raise CheckFailure(f"{what}: non-overlapping windows that tile the image must contain "
                           f"every pixel exactly once, but the {got.numel()} values returned "
                           f"are not a rearrangement of the {x.numel()} input pixels"
                           f"{_suffix(_diagnose(got, x, kernel, kernel, 0))}")
