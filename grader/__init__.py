"""An auto-grading harness for from-scratch deep-learning assignments.

The public surface for check authors: tensor comparisons, numerical
gradients, strategies and the errors a check may raise.
"""
from grader.compare import assert_close, assert_meta, tolerances
from grader.errors import CheckFailure
from grader.numgrad import check_gradient

__all__ = ["assert_close", "assert_meta", "tolerances", "CheckFailure", "check_gradient"]
