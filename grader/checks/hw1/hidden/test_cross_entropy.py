"""Hidden cross_entropy check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.hw1.test_cross_entropy import batches
from grader.compare import assert_close
from grader.student import expect_tensor


@given(batch=batches(), data=st.data())
def test_batch_invariances(student, batch, data):
    """The mean does not change when rows are shuffled or the batch is repeated."""
    y_hat, y = batch
    order = torch.tensor(data.draw(st.permutations(range(len(y)))), dtype=torch.int64)
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
