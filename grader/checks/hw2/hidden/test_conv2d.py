"""Hidden conv2d check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw2.test_conv2d import _call, _what, problems
from grader.compare import assert_close, tolerances


@settings(max_examples=6)
@given(problem=problems(bias=False), seed=gs.seeds(),
       a=st.sampled_from([2.0, -0.5]), c=st.sampled_from([1.5, -3.0]))
def test_linearity(student, problem, seed, a, c):
    x1, W1, _, config = problem
    x2, W2 = gs.gaussian(x1.shape, seed + 3), gs.gaussian(W1.shape, seed + 4)
    stride, pad = config["stride"], config["pad"]
    rtol, atol = tolerances(torch.float64, terms=W1[0].numel(), scale=50.0)
    conv = lambda x, W: _call(student, x, W, None, stride, pad)[0]  # noqa: E731
    left, right = conv(a * x1 + c * x2, W1), a * conv(x1, W1) + c * conv(x2, W1)
    assert_close(left, right, f"conv2d(a*x1 + c*x2, W) vs a*conv2d(x1, W) + c*conv2d(x2, W) "
                 f"({_what(x1, W1, None, stride, pad)}, a={a}, c={c})", rtol=rtol, atol=atol)
    left, right = conv(x1, a * W1 + c * W2), a * conv(x1, W1) + c * conv(x1, W2)
    assert_close(left, right, f"conv2d(x, a*W1 + c*W2) vs a*conv2d(x, W1) + c*conv2d(x, W2) "
                 f"({_what(x1, W1, None, stride, pad)}, a={a}, c={c})", rtol=rtol, atol=atol)
