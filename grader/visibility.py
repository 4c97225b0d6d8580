"""What a student may see of a check: the one place hidden checks are masked.

Every output a student reads (the terminal report, the student JSON, the
feedback pages, Gradescope's results.json, JUnit, the CI annotations and job
summary, ``grader.check()`` in a notebook) renders checks through
:func:`student_check`, never from the raw result.  A hidden check keeps its
name, kind, points and status; its message, failing input, description,
hint and the grader's own detail are replaced by fixed words chosen from its
status alone, so nothing the check or the grader wrote can reach a student.
Instructor views (the gradebook, ``grades.csv``, ``report.html``) read the
raw result.  ``tests/test_visibility.py`` renders a hidden check through
every student output and looks for its text.
"""
from dataclasses import asdict, is_dataclass
from typing import Any

from grader.status import Status

HIDDEN_DESCRIPTION = "hidden check"
# Fields that carry what a check found or explains; masked on hidden checks.
REVEALING = ("message", "example", "description", "hint")
INSTRUCTOR_ONLY = ("detail",)   # what failed inside the grader: never for students


def student_check(check: Any) -> dict:
    """The check as a student may see it (a new dict; ``check`` is not changed).

    ``check`` is a :class:`grader.scoring.CheckResult` or its JSON form.
    """
    shown = asdict(check) if is_dataclass(check) else dict(check)
    for key in INSTRUCTOR_ONLY:
        shown.pop(key, None)
    if shown.get("hidden"):
        _mask(shown)
    return shown


def _mask(shown: dict) -> None:
    """Replace what a hidden check found or explains by fixed words."""
    for key in REVEALING:
        if key in shown:
            shown[key] = ""
    shown.update(message=hidden_message(shown), description=HIDDEN_DESCRIPTION)


def hidden_message(check: dict) -> str:
    """Fixed words for a hidden check, from its status (and the names it waits on)."""
    status = check.get("status")
    if check.get("passed") or status == Status.PASSED:
        return ""
    if status == Status.WITHHELD and check.get("withheld_by"):
        return f"hidden check: earns its points once {', '.join(check['withheld_by'])} passes"
    if status == Status.SKIPPED:
        return "hidden check: not run here"
    if status == Status.ERROR:
        return "hidden check: the grader failed on it; not counted in your score"
    return "hidden check failed"
