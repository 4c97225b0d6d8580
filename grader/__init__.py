"""An auto-grading harness for from-scratch deep-learning assignments.

The public surface: for students, ``grader.check("softmax")`` in a notebook
cell (:mod:`grader.incell`); for check authors, tensor comparisons, numerical
gradients and the error a check raises.  Imported lazily, so that
``import grader`` costs nothing and the fork server (which imports
``grader.box.worker``) loads none of the scoring code.
"""
import importlib

_PUBLIC = {"assert_close": "grader.compare", "assert_meta": "grader.compare",
           "tolerances": "grader.compare", "CheckFailure": "grader.errors",
           "check_gradient": "grader.numgrad", "check": "grader.incell"}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
