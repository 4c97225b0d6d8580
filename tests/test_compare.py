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
