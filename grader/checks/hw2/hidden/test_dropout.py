"""Hidden dropout check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch

from grader.checks.hw2._common import inputs_unchanged
from grader.errors import CheckFailure
from grader.student import expect_tensor


def test_fresh_mask(student):
    x = torch.ones(64, 64, dtype=torch.float64)
    result = student.run("dropout", x, 0.5, seed=5, repeat=2, return_inputs=True)
    inputs_unchanged(result, ["x"], "dropout(x, 0.5)")  # else the calls are not comparable
    first, second = (expect_tensor(r, "dropout(x, 0.5)") for r in result.repeats)
    if torch.equal(first, second):
        raise CheckFailure("two calls of dropout(x, 0.5) in a row dropped exactly the same "
                           "elements; draw a new random mask on every call (do not seed "
                           "torch or reuse a stored mask inside dropout)")
    mask = first != 0
    if bool((mask == mask[:1]).all()) or bool((mask == mask[:, :1]).all()):
        raise CheckFailure("dropout(x, 0.5) on a 64x64 input dropped the same pattern in "
                           "every row (or column); draw the mask with x's full shape, "
                           "one random number per element")
