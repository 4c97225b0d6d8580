"""Exports of a finished batch: the files instructors and their systems read.

``write_all`` writes, under ``out_dir``:

- ``grades.csv``: one row per student, one column per component (tables.py);
- ``canvas.csv``: a Canvas gradebook import (canvas.py);
- ``feedback/<id>.md`` and ``.html``: what each student sees (feedback.py);
- ``gradescope/<id>/results.json``: Gradescope autograder results (gradescope.py);
- ``junit/<id>.xml``: JUnit XML per student (junit.py);
- ``report.html``: the instructor's summary with plots (summary.py).

Rows carry the instructor view of each result; every student-facing export
hides what hidden checks would reveal.  ``<id>`` is the student id reduced to
``[A-Za-z0-9._-]`` (see common.safe_name).
"""
from pathlib import Path

from . import canvas, gradescope, summary, tables
from grader.render import feedback, junit
from grader.render.common import safe_name

__all__ = ["write_all"]


def write_all(out_dir: Path, assignment: str, title: str, rows: list[dict]) -> dict[str, Path]:
    """Write every export; returns {path relative to out_dir (posix): path}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [tables.write_grades(out_dir / "grades.csv", rows),
             canvas.write_canvas(out_dir / "canvas.csv", assignment, title, rows)]
    for row in rows:
        name = safe_name(row["student_id"])
        paths += feedback.write(out_dir / "feedback", name, assignment, title, row)
        paths.append(gradescope.write(out_dir / "gradescope" / name, row))
        paths.append(junit.write(out_dir / "junit" / f"{name}.xml", assignment, row))
    paths.append(summary.write(out_dir / "report.html", assignment, title, rows))
    return {path.relative_to(out_dir).as_posix(): path for path in paths}
