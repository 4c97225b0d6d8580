"""``grades.csv``: one row per student, one column per component, for spreadsheets.

The instructor's raw table: every row keeps its status and message, and
unreadable, unsupported or errored submissions keep their 0 so nobody
disappears.  ``total`` is after the late policy; ``late`` says whether the
LMS marked the file late and ``late_penalty`` what the policy took.
"""
import csv
from pathlib import Path

from grader.render.common import num

FIXED = ["student_id", "file", "status", "total", "max_total"]


def component_names(rows: list[dict]) -> list[str]:
    """Components in result (= rubric) order; the union, in case a row was graded with --only."""
    names = []
    for row in rows:
        for component in row["result"].get("components", []):
            if component["name"] not in names:
                names.append(component["name"])
    return names


def write_grades(path: Path, rows: list[dict]) -> Path:
    names = component_names(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIXED + names + ["status_message", "late", "late_penalty"])
        for row in rows:
            writer.writerow(_line(row, names))
    return path


def _line(row: dict, names: list[str]) -> list:
    result = row["result"]
    scores = {c["name"]: num(c["score"]) for c in result.get("components", [])}
    return [row["student_id"], row.get("file", ""), row["status"], num(result["score"]),
            num(result["max_score"])] + [scores.get(n, "") for n in names] \
        + [row.get("status_message", ""), "yes" if row.get("late") else "",
           result.get("late_penalty", "")]
