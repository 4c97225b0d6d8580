"""Helpers every export shares, so that all files agree on numbers, names and points.

A row's ``result`` is the instructor view of README's "Result JSON".  Two
rules live here because every export must apply them the same way:

- a component whose status is ``banned`` or ``not_implemented`` scores 0 even
  when some of its checks passed, so a check's *effective* points are 0 there;
- student ids come from uploaded file names and become file names again, so
  they are reduced to a safe character set before touching the filesystem.
"""
import re

from grader.visibility import student_check
from grader.status import ROW_STATUSES, ZEROED_COMPONENT, Status  # noqa: F401 - re-exported


def num(value) -> int | float:
    """44 rather than 44.0: spreadsheets, LMS imports and people all read it better."""
    value = float(value or 0)
    return int(value) if value.is_integer() else round(value, 4)


def safe_name(student_id: str) -> str:
    """A file name for ``student_id`` that cannot leave its folder (no '/', no leading dots)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(student_id)).lstrip(".")
    return name or "_"


def iter_checks(result: dict):
    """(component number, component, check number, check), numbered from 1 as people count."""
    for ci, component in enumerate(result.get("components", []), start=1):
        for ki, check in enumerate(component.get("checks", []), start=1):
            yield ci, component, ki, check


def label(component: dict, check: dict) -> str:
    """The name instructors and students see for a check: ``softmax.rows_sum_to_one``."""
    return f"{component['name']}.{check['name']}"


def zeroed(component: dict, check: dict) -> bool:
    """A check that passed but earns nothing because its whole component scored 0."""
    return bool(check["passed"]) and component["status"] in ZEROED_COMPONENT \
        and float(check["max_points"]) > 0


def effective_points(component: dict, check: dict) -> float:
    """What the check adds to the total, so that per-check exports sum to the score."""
    return 0.0 if component["status"] in ZEROED_COMPONENT else float(check["points"])


def counts_as_passed(component: dict, check: dict) -> bool:
    """Passed and actually worth its points (a zeroed pass is shown as a failure)."""
    return bool(check["passed"]) and not zeroed(component, check)


def zero_reason(component: dict) -> str:
    """Why a zeroed component scored 0, without the "scored 0: " its message starts with."""
    message = component.get("message") or component["status"]
    return message.removeprefix("scored 0: ")


def failure_text(check: dict) -> str:
    """Message plus smallest failing input, as a student may see them (plain-text outputs)."""
    check = student_check(check)
    text = check.get("message", "") or ""
    if check.get("example"):
        text += f"\n{example_label(check)}: {check['example']}"
    return text.strip()


def example_label(check: dict) -> str:
    """How a failing input is introduced: only the first failing check of a component
    shrinks its input to the smallest (grader.plugin); later ones show the first found."""
    if check.get("example_is_smallest", True):
        return "Smallest failing input"
    return ("Failing input (the first one found; an earlier failing check of this "
            "component shows the smallest)")


def status_explanation(row: dict) -> str:
    """What went wrong with a row that was not graded, and what the student should do."""
    detail = row.get("status_message") or "no details"
    if row["status"] == Status.UNREADABLE:
        return (f"Your submission {row.get('file', '')!r} could not be read: {detail}. "
                "No checks were run. Resubmit your work as a valid Jupyter notebook (.ipynb) "
                "or Python file (.py); open it once in Jupyter or Python to make sure it loads.")
    if row["status"] == Status.UNSUPPORTED:
        return (f"Your submission could not be graded: {detail}. No checks were run.")
    if row["status"] == Status.ERROR:
        return (f"The grader failed on your submission ({detail}). This is a problem with the "
                "grader, not with your work; your instructor will look at it and regrade it.")
    return ""
