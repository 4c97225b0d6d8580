"""Replay each hypothesis check's cases instead of generating them again.

Hypothesis runs derandomized: for a given check it generates the same cases,
in the same order, for every submission, until one fails.  Generating them
costs more than running them, and a batch grades hundreds of submissions in
the same scorer process.  So the first time a check passes, we record the
arguments hypothesis gave it; afterwards we call the check's body with those
cases directly.

The verdict cannot change: if every recorded case passes, hypothesis would
have run exactly these cases and passed too.  If one fails (or anything
unusual happens), we run the check under hypothesis as before, which finds
the same failure and shrinks it to the same smallest example.

Checks whose cases cannot be copied faithfully (``st.data()`` draws inside
the body, objects that are not plain data) are never recorded.
"""
import contextlib
import functools

import torch
from hypothesis import Phase, settings

_cases: dict[str, list[dict]] = {}   # check id -> recorded generated arguments
ENABLED = True                       # tests switch it off to compare both paths


class _NotPlainData(Exception):
    pass


def run_check(check_id: str, test, fixtures: dict, shrink: bool = True) -> None:
    """Run the hypothesis test ``test`` with pytest's ``fixtures``.

    ``shrink=False``: a failure is reported as found, not shrunk to a smaller
    example (the check passes or fails all the same).
    """
    cases = _cases.get(check_id) if ENABLED else None
    if cases is not None and _replay(test, fixtures, cases):
        return
    recorded = [] if ENABLED and cases is None else None
    with contextlib.nullcontext() if shrink else _without_shrinking(test):
        _run_with_hypothesis(test, fixtures, recorded)
    if recorded is not None and all(case is not None for case in recorded):
        _cases[check_id] = recorded   # reached only when the check passed


def _replay(test, fixtures: dict, cases: list[dict]) -> bool:
    """True if every recorded case passed; BaseExceptions (timeouts, crashes) propagate."""
    body = test.hypothesis.inner_test
    try:
        for case in cases:
            body(**fixtures, **_copy(case))
    except Exception:  # noqa: BLE001 - hypothesis will find, shrink and report it
        return False
    return True


@contextlib.contextmanager
def _without_shrinking(test):
    """Hypothesis settings of ``test`` minus the shrink phase, for this run only."""
    own = test._hypothesis_internal_use_settings
    test._hypothesis_internal_use_settings = settings(
        own, phases=[phase for phase in own.phases if phase is not Phase.shrink])
    try:
        yield
    finally:
        test._hypothesis_internal_use_settings = own


def _run_with_hypothesis(test, fixtures: dict, recorded: list | None) -> None:
    if recorded is None:
        test(**fixtures)
        return
    body = test.hypothesis.inner_test

    @functools.wraps(body)  # same source digest, so hypothesis picks the same seed
    def recording(**kwargs):
        generated = {k: v for k, v in kwargs.items() if k not in fixtures}
        try:
            recorded.append(_copy(generated))
        except _NotPlainData:
            recorded.append(None)
        return body(**kwargs)

    test.hypothesis.inner_test = recording
    try:
        test(**fixtures)
    finally:
        test.hypothesis.inner_test = body


def _copy(value):
    """A deep copy of plain data (tensors, numbers, strings, containers)."""
    if isinstance(value, torch.Tensor):
        if type(value) is not torch.Tensor:
            raise _NotPlainData
        return value.detach().clone().requires_grad_(value.requires_grad)
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes,
                                           torch.dtype, torch.device)):
        return value
    if type(value) in (list, tuple, torch.Size):
        return type(value)(_copy(v) for v in value)
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    raise _NotPlainData
