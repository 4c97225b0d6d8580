"""``canvas.csv``: a Canvas gradebook import (Grades > Import) with one assignment column.

Which column Canvas matches on: for each row it looks the student up by
``ID`` (Canvas's numeric user id) first, then ``SIS User ID``, then
``SIS Login ID`` (the login name), and last by the ``Student`` name.  The
grader knows only the id taken from the submission file name, so it goes into
``SIS Login ID`` (and ``Student``, for display); ``ID``, ``SIS User ID`` and
``Section`` stay empty.  If file-name ids are not your students' Canvas login
names, map them before importing (export the gradebook from Canvas and copy
its ``ID`` column into this file by student).  Rows Canvas cannot match show
up as unknown students in the import preview; nothing is silently dropped.

The assignment column is named ``<title> (<assignment>)``.  Canvas reads a
trailing ``(<number>)`` as its own assignment id; ``(hw1)`` is not one, so it
updates the assignment with exactly this name or offers to create it, with
the maximum from the ``Points Possible`` row.  Rename the header if your
Canvas assignment is called otherwise.  Submissions whose grading hit a
grader error get an empty cell (Canvas treats it as "no change") rather than
a 0 the student did not earn; unreadable submissions get their 0.
"""
import csv
from pathlib import Path

from .common import num

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def assignment_column(assignment: str, title: str) -> str:
    return f"{title} ({assignment})"


def write_canvas(path: Path, assignment: str, title: str, rows: list[dict]) -> Path:
    possible = num(rows[0]["result"]["max_score"]) if rows else ""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STUDENT_COLUMNS + [assignment_column(assignment, title)])
        writer.writerow(["Points Possible", "", "", "", "", possible])
        for row in rows:
            score = "" if row["status"] == "error" else num(row["result"]["score"])
            writer.writerow([row["student_id"], "", "", row["student_id"], "", score])
    return path
