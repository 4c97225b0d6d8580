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

from grader.compare import assert_close, assert_meta, tolerances  # noqa: E402
from grader.errors import CheckFailure  # noqa: E402


@pytest.mark.parametrize("dtype, off_by, close", [
    (torch.float64, 1e-9, True), (torch.float64, 1e-5, False), (torch.float64, 1e-4, False),
    (torch.float32, 1e-7, True), (torch.float32, 1e-6, True), (torch.float32, 1e-4, False),
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


def test_tolerances_of_short_sums_and_other_dtypes():
    assert tolerances(torch.float32, terms=2) == (1e-5, 1e-5)          # any sum: float32's rtol
    assert tolerances(torch.float32, terms=1, scale=1e9) == (1.3e-6, 1e-5)   # no sum: as is
    assert tolerances(torch.float64, terms=10 ** 20)[0] == 1e-7       # float64 keeps its rtol
    assert tolerances(torch.float64, terms=10 ** 20)[1] == pytest.approx(4 * 2.2e-16 * 1e10)
    assert tolerances(torch.bfloat16, terms=4, scale=1.0) == (1e-7, 1e-7)   # unknown dtype


# --- what a student reads: exact messages ----------------------------------------

def _failure(got, expected, **options) -> str:
    with pytest.raises(CheckFailure) as info:
        assert_close(got, expected, "softmax(X)", **options)
    return str(info.value)


def test_mismatch_message_names_count_worst_element_errors_and_tolerances():
    got = torch.tensor([[1.0, 2.0, 0.5], [1.0, 1.0, 1.0]], dtype=torch.float64)
    expected = torch.tensor([[1.0, 2.0, 0.25], [1.0, 1.0, 1.0 + 1e-3]], dtype=torch.float64)
    assert _failure(got, expected, hint="divide by the row sum") == (
        "softmax(X) does not match the expected values: 2 of 6 elements differ; worst at "
        "index [0, 2]: got 0.5, expected 0.25; max abs error 0.25, max rel error 1 "
        "(allowed: atol=1e-07, rtol=1e-07). Hint: divide by the row sum")


def test_an_element_exactly_at_the_tolerance_is_close():
    got = torch.tensor([1.5, 3.0], dtype=torch.float64)
    expected = torch.tensor([1.0, 1.0], dtype=torch.float64)
    assert describe_mismatch(got, expected, 0.0, 0.5).startswith("1 of 2 elements differ")
    assert describe_mismatch(got[:1], expected[:1], 0.0, 0.5) == ""


def test_a_zero_tolerance_is_not_loosened():
    got, expected = torch.tensor([1e-9], dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    assert describe_mismatch(got, expected, 0.0, 0.0).startswith("1 of 1 elements differ")


def test_explicit_tolerances_replace_the_defaults():
    expected = torch.ones(3, dtype=torch.float64)
    assert_close(expected * (1 + 1e-4), expected, "f", rtol=1e-3)
    assert_close(expected + 1e-4, expected, "f", atol=1e-3)
    assert "(allowed: atol=0, rtol=0)" in _failure(expected + 1e-12, expected, rtol=0, atol=0)


@pytest.mark.parametrize("got, message", [
    ([0.5, 0.5], "softmax(X) returned list, expected a tensor"),
    (torch.ones(3, dtype=torch.float64), "softmax(X) has shape (3,), expected (2,). Hint: h"),
    (torch.ones(2, dtype=torch.float32), "softmax(X) has dtype torch.float32, expected "
                                         "torch.float64 (keep the input's dtype). Hint: h"),
])
def test_wrong_type_shape_and_dtype_are_named(got, message):
    assert _failure(got, torch.ones(2, dtype=torch.float64), hint="h") == message


def test_no_hint_adds_nothing():
    message = _failure(torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    assert message == "softmax(X) has shape (3,), expected (2,)"


INFO = {"shape": [2, 3], "dtype": "float64", "device": "cpu"}


def test_metadata_that_matches_passes():
    assert_meta(INFO, "out", shape=(2, 3), dtype=torch.float64, device="cpu")
    assert_meta({}, "out")   # nothing asked, nothing checked


@pytest.mark.parametrize("wanted, message", [
    (dict(shape=(3, 2)), "out has shape (2, 3), expected (3, 2)"),
    (dict(dtype=torch.float32), "out has dtype float64, expected float32 (the input's dtype)"),
    (dict(device="cuda:0"), "out is on device cpu, expected cuda:0 (the input's device); "
                            "create new tensors with device=x.device or *_like functions"),
])
def test_metadata_that_differs_is_named(wanted, message):
    with pytest.raises(CheckFailure) as info:
        assert_meta(INFO, "out", **wanted)
    assert str(info.value) == message


def test_missing_metadata_is_a_mismatch():
    with pytest.raises(CheckFailure, match=r"out has shape \(\), expected \(2,\)"):
        assert_meta({}, "out", shape=(2,))


def test_a_hint_given_as_a_function_is_computed_only_on_failure():
    """Diagnosing a wrong output is costly: a passing comparison must not pay for it."""
    calls = []

    def diagnose():
        calls.append(1)
        return "the rows were normalised over dim 0"

    assert_close(torch.ones(2), torch.ones(2), "x", hint=diagnose)
    assert calls == []
    with pytest.raises(CheckFailure, match=r"Hint: the rows were normalised over dim 0$"):
        assert_close(torch.zeros(2), torch.ones(2), "x", hint=diagnose)
    assert calls == [1]


def test_an_element_within_the_relative_tolerance_is_not_counted_as_differing():
    """Only ``rtol * |expected|`` covers 100 + 5e-6 here (atol alone would not): one of
    the two elements differs, not both."""
    got = torch.tensor([100.0 + 5e-6, 1.0], dtype=torch.float64)
    expected = torch.tensor([100.0, 0.0], dtype=torch.float64)
    assert describe_mismatch(got, expected, RTOL, ATOL).startswith(
        "1 of 2 elements differ; worst at index [1]: got 1, expected 0")


def test_a_hint_function_that_fails_leaves_the_failure_without_a_hint():
    """A wrong output the diagnosis cannot handle keeps its mismatch message, unnamed."""
    def diagnose():
        raise ValueError("cannot diagnose this output")

    assert _failure(torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64),
                    hint=diagnose) == "softmax(X) has shape (3,), expected (2,)"
