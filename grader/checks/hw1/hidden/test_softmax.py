"""Hidden softmax check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw1.test_softmax import _diagnose
from grader.compare import assert_close
from grader.student import expect_tensor


@given(X=gs.matrices(min_cols=2), shift=st.lists(gs.finite(50), min_size=6, max_size=6))
def test_shift_invariance(student, X, shift):
    c = torch.tensor(shift[:X.shape[0]], dtype=X.dtype).unsqueeze(1)
    plain = expect_tensor(student.call("softmax", X), "softmax(X)")
    shifted = expect_tensor(student.call("softmax", X + c), "softmax(X + c)")
    assert_close(shifted, plain, "softmax(X + c) vs softmax(X) with a constant c per row",
                 rtol=1e-6, atol=1e-9, hint=lambda: _diagnose(plain, X))
