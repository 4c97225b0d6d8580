"""grader.compare: the comparison every reference check ends in.

Its verdict must follow one rule, element by element: equal values (equal
infinities included) are close, NaN never is, and finite values are close
within ``atol + rtol * |expected|``.  Anything else is a mismatch that the
message describes.
"""
import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.compare import describe_mismatch

RTOL, ATOL = 1e-5, 1e-8
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.0, 1.0, 1.0 + 1e-6, 1.0 + 1e-4, math.inf, -math.inf]))


def _close(got: float, expected: float) -> bool:
    if got == expected:
        return True
    finite = math.isfinite(got) and math.isfinite(expected)
    return finite and abs(got - expected) <= ATOL + RTOL * abs(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=6))
def test_verdict_follows_the_elementwise_rule(pairs):
    got = torch.tensor([g for g, _ in pairs], dtype=torch.float64)
    expected = torch.tensor([e for _, e in pairs], dtype=torch.float64)
    message = describe_mismatch(got, expected, RTOL, ATOL)
    bad = sum(not _close(g, e) for g, e in pairs)
    assert (message == "") == (bad == 0), (pairs, message)
    if bad:
        assert message.startswith(f"{bad} of {len(pairs)} elements differ"), message


def test_an_infinite_expectation_is_not_met_by_a_finite_value():
    message = describe_mismatch(torch.tensor([0.0, 1.0]), torch.tensor([math.inf, 1.0]), RTOL, ATOL)
    assert message.startswith("1 of 2 elements differ; worst at index [0]: got 0, expected inf")
    assert "nan" not in message


# --- the default tolerances: every verdict rests on them ------------------------

import pytest  # noqa: E402

from grader.compare import assert_close, tolerances  # noqa: E402
from grader.errors import CheckFailure  # noqa: E402


@pytest.mark.parametrize("dtype, off_by, close", [
    (torch.float64, 1e-9, True), (torch.float64, 1e-5, False), (torch.float64, 1e-4, False),
    (torch.float32, 1e-7, True), (torch.float32, 1e-4, False),
    (torch.float16, 1e-4, True), (torch.float16, 1e-2, False),
])
def test_default_tolerances_follow_the_dtype(dtype, off_by, close):
    """A float64 result 1e-5 off is wrong; one 1e-9 off is rounding."""
    expected = torch.tensor([0.25, 1.0, 3.0], dtype=torch.float64).to(dtype)
    got = (expected.double() * (1 + off_by)).to(dtype)
    if close:
        assert_close(got, expected, "f")
    else:
        with pytest.raises(CheckFailure, match="does not match"):
            assert_close(got, expected, "f")


def test_default_tolerances_are_the_documented_ones():
    assert tolerances(torch.float64) == (1e-7, 1e-7)
    assert tolerances(torch.float32) == (1.3e-6, 1e-5)
    assert tolerances(torch.float16) == (1e-3, 1e-5)
    assert tolerances(torch.int64) == (1e-7, 1e-7)


def test_tolerance_of_a_sum_grows_with_the_number_of_terms():
    rtol, atol = tolerances(torch.float32, terms=144, scale=2.0)
    assert rtol == 1e-5 and atol == pytest.approx(4 * 1.2e-7 * 12 * 2.0)
    assert tolerances(torch.float64, terms=10_000)[1] == 1e-7   # float64: the default still
    assert tolerances(torch.float64, terms=10 ** 20, scale=1.0)[1] == pytest.approx(
        4 * 2.2e-16 * 1e10)
