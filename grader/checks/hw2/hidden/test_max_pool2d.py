"""Hidden max_pool2d check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
from hypothesis import given, settings

from grader import strategies as gs
from grader.checks.hw2._common import assert_close_or_diagnose
from grader.checks.hw2.test_max_pool2d import (ZERO_PAD, _call, _diagnose, _image, _reference,
                                               pool_configs)
from grader.errors import CheckFailure


@settings(max_examples=8)
@given(config=pool_configs, seed=gs.seeds())
def test_padding_never_wins(student, config, seed):
    """All inputs negative: padding (-inf) must never be the max, so every output is < 0."""
    (kh, kw) = config["kernel"]
    config = dict(config, pad=(max(config["pad"][0], kh // 2), max(config["pad"][1], kw // 2)))
    if config["pad"] == (0, 0):
        config = dict(config, kernel=(3, 3), pad=(1, 1), H=max(config["H"], 1),
                      W=max(config["W"], 1))
    x = _image(config, seed) - 1000.0
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    got, what = _call(student, x, kernel, stride, pad)
    if bool((got >= 0).any()):
        raise CheckFailure(f"{what} on an input whose values are all below -990 returned "
                           f"{float(got.max()):.6g}. Hint: {ZERO_PAD}")
    assert_close_or_diagnose(got, _reference(x, kernel, stride, pad),
                             f"{what} on all-negative inputs",
                             diagnose=lambda: _diagnose(got, x, kernel, stride, pad))
