"""One submission's grading job, as a batch records it.

The leaf that every way of running a batch shares: the local scorers
(:mod:`grader.instructor.scorers`), Dask workers (:mod:`grader.instructor.remote`) and the batch
itself (:mod:`grader.instructor.batch`) import it; it imports none of them.
"""
import time
from pathlib import Path

from grader.errors import UsageError
from grader.status import ROW_STATUSES, Status


def grade_file(path: str, assignment: str, full: bool, hide=()) -> dict:
    """Grade one file into a gradebook row; never raises, so one submission cannot
    stop the batch."""
    from grader import report
    from grader.grading import grade
    started = time.perf_counter()
    try:
        result = grade(Path(path), assignment, full=full, hide=hide)
        row = {"status": Status.GRADED, "status_message": _reading_note(result),
               "result": report.to_json(result, student_view=False)}
    except UsageError as exc:
        row = failed_row(Status.UNREADABLE, str(exc))
    except Exception as exc:  # noqa: BLE001 - a grader bug: recorded, the batch goes on
        row = failed_row(Status.ERROR, f"grader error: {type(exc).__name__}: {exc}")
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def hidden_folders(source, out) -> list[str]:
    """Folders student code must not see besides the defaults: every submission, the outputs."""
    return [str(Path(source).resolve()), str(Path(out).resolve())]


def failed_row(status: Status, message: str) -> dict:
    """A row for a submission that has no result: unreadable, unsupported, or a grader error."""
    if status not in ROW_STATUSES - {Status.GRADED}:
        raise ValueError(f"a row without a result cannot have status {status!r}")
    return {"status": status, "status_message": message, "result": None, "seconds": 0.0}


def _reading_note(result) -> str:
    """What the gradebook's status column should say about a file that was graded."""
    return "; ".join(p["message"] for p in result.load_problems
                     if p["type"] in ("NotANotebook", "Empty"))


def not_graded_json(assignment: str, reason: str) -> dict:
    """The result JSON of a submission no check ran on (every check: not graded)."""
    from grader import report, scoring
    from grader.rubric import load_rubric
    # Only the components and points: no ban is looked up (that would import torch here).
    rubric = load_rubric(assignment, resolve_bans=False)
    return report.to_json(scoring.not_graded(rubric, reason), student_view=False)
