"""``gradescope/<id>/results.json``: Gradescope's autograder results format.

One test per check, numbered ``component.check`` from 1 so Gradescope keeps
rubric order.  Test scores use the effective points (0 in a banned or
not-implemented component), so they always add up to the top-level score.
Hidden checks are published only with the grades (``after_published``); what
they say is :func:`grader.visibility.student_check`'s fixed words.  The
student's printed output is in the feedback, so ``stdout_visibility`` stays
hidden.

Gradescope knows only passed and failed.  A 0-point check that could not run
here (GPU parity on a machine without a GPU) is neither, so it is not a test
entry: the summary at the top names it as not run.
"""
import json
from pathlib import Path

from grader.status import Status
from grader.visibility import student_check

from grader.render.common import counts_as_passed, effective_points, failure_text, iter_checks, num, \
    status_explanation, zero_reason, zeroed


def write(folder: Path, row: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    path.write_text(json.dumps(results(row), indent=2) + "\n", encoding="utf-8")
    return path


def results(row: dict) -> dict:
    result = row["result"]
    return {"score": num(result["score"]),
            "execution_time": int(round(row.get("seconds") or 0)),
            "output": summary(row),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [_test(ci, component, ki, check)
                      for ci, component, ki, check in iter_checks(result)
                      if not _free_skip(check)]}


def summary(row: dict) -> str:
    """One short paragraph at the top of the Gradescope page."""
    result = row["result"]
    if row["status"] != Status.GRADED:
        return status_explanation(row)
    text = f"Score {num(result['score'])} / {num(result['max_score'])}."
    short = [_component_note(c) for c in result["components"] if c["status"] != Status.FULL]
    text += (f" Points lost in: {'; '.join(short)}. Each check is listed below." if short
             else " Every check passed.")
    skipped = [student_check(check) for _, _, _, check in iter_checks(result) if _free_skip(check)]
    if skipped:
        text += (f" Not run here, 0 points: {len(skipped)} check(s) "
                 f"({', '.join(sorted({c['name'] for c in skipped}))}): "
                 f"{_skip_reason(skipped[0])}.")
    if row.get("status_message"):   # superseded attempts, ignored files, reading notes
        text += f" Note: {row['status_message']}."
    return text


def _skip_reason(check: dict) -> str:
    if check.get("kind") == "parity":
        return "the grading machine has no GPU"
    return (check.get("message") or "not run").rstrip(".")


def _component_note(component: dict) -> str:
    note = f"{component['name']} {num(component['score'])}/{num(component['max_score'])}"
    if component["status"] == Status.BANNED:
        return note + " (scored 0: its from-scratch check failed)"
    if component["status"] == Status.NOT_IMPLEMENTED:
        return note + " (not implemented)"
    return note


def _test(ci: int, component: dict, ki: int, check: dict) -> dict:
    shown = student_check(check)
    return {"name": f"{component['name']}: {check['name']}",
            "number": f"{ci}.{ki}",
            "score": num(effective_points(component, check)),
            "max_score": num(check["max_points"]),
            "status": Status.PASSED if counts_as_passed(component, check) else Status.FAILED,
            "output": _output(component, shown),
            "visibility": "after_published" if shown.get("hidden") else "visible"}


def _free_skip(check: dict) -> bool:
    """A 0-point check that could not run here (GPU parity without a GPU) fails no one."""
    return check.get("status") == Status.SKIPPED and not check["max_points"]


def _output(component: dict, check: dict) -> str:
    """What the test says; ``check`` as :func:`student_check` shows it."""
    if zeroed(component, check):
        return f"This check passed, but {component['name']} scored 0: {zero_reason(component)}"
    return "" if check["passed"] else failure_text(check)
