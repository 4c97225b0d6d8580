"""Hidden cross_entropy check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.hw1.test_cross_entropy import batches
from grader.compare import assert_close
from grader.student import expect_tensor


@st.composite
def shuffled_batches(draw):
    """(y_hat, y, order): a batch and a permutation of its rows.

    Drawn here rather than with ``st.data()`` in the check, so the cases are
    plain data that :mod:`grader.replay` can record.
    """
    y_hat, y = draw(batches())
    return y_hat, y, draw(st.permutations(range(len(y))))


@given(batch=shuffled_batches())
def test_batch_invariances(student, batch):
    """The mean does not change when rows are shuffled or the batch is repeated."""
    y_hat, y, order = batch
    order = torch.tensor(order, dtype=torch.int64)
    base = expect_tensor(student.call("cross_entropy", y_hat, y), "cross_entropy(y_hat, y)")
    shuffled = expect_tensor(student.call("cross_entropy", y_hat[order], y[order]),
                             "cross_entropy on shuffled rows")
    doubled = expect_tensor(student.call("cross_entropy", torch.cat([y_hat, y_hat]),
                                         torch.cat([y, y])), "cross_entropy on a repeated batch")
    assert_close(shuffled.double().reshape(-1), base.double().reshape(-1),
                 "loss after shuffling the batch", rtol=1e-9, atol=1e-12)
    assert_close(doubled.double().reshape(-1), base.double().reshape(-1),
                 "loss of the batch repeated twice vs once", rtol=1e-9, atol=1e-12,
                 hint="a mean over the batch does not grow with the batch size; "
                      "did you sum instead of averaging?")
