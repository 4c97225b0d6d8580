"""Canvas: ``canvas.csv`` for Grades > Import, and filling a gradebook export.

Canvas matches an imported row on ``ID`` (its numeric user id) first, then
``SIS User ID``, then ``SIS Login ID``.  A Canvas "Download submissions"
file name carries the user id (``login_late_USERID_SUBMISSIONID_name``), so
``canvas.csv`` puts it in ``ID`` and the login in ``Student``; files not
named by Canvas leave ``ID`` empty and put the file-name id in
``SIS Login ID``.

The column header ``<title> (<assignment>)`` matches an existing Canvas
assignment only if it has exactly that name.  The sure way is the round trip
(:func:`fill_gradebook`, ``grader batch ... --canvas-gradebook EXPORT.csv``):
export the gradebook from Canvas, and the batch writes ``canvas-import.csv``:
that export's student columns and its existing column for this assignment
(header kept as Canvas wrote it, with Canvas's own assignment id), scores
filled in by Canvas user id.  Students found on one side only are listed.

Submissions whose grading hit a grader error get an empty cell in
``canvas.csv`` (Canvas treats it as "no change") and keep their old cell in
``canvas-import.csv``, rather than a 0 the student did not earn; unreadable
and unsupported submissions get their 0.
"""
import csv
import re
from pathlib import Path

from grader.errors import UsageError
from grader.status import Status

from grader.render.common import num

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def assignment_column(assignment: str, title: str) -> str:
    return f"{title} ({assignment})"


def write_canvas(path: Path, assignment: str, title: str, rows: list[dict]) -> Path:
    # The largest maximum: a row whose checks the grader failed on has a smaller one
    # (those checks are not counted for that student), and it may come first.
    possible = num(max(row["result"]["max_score"] for row in rows)) if rows else ""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STUDENT_COLUMNS + [assignment_column(assignment, title)])
        writer.writerow(["Points Possible", "", "", "", "", possible])
        for row in rows:
            canvas_user = row.get("canvas_user", "")
            login = row["student_id"].removesuffix(f"_{canvas_user}") if canvas_user else ""
            writer.writerow([login or row["student_id"], canvas_user, "",
                             "" if canvas_user else row["student_id"], "", _score(row)])
    return path


def _score(row: dict):
    return "" if row["status"] == Status.ERROR else num(row["result"]["score"])


# --- the round trip: fill the assignment's column of a Canvas gradebook export ----

IMPORT_FILE = "canvas-import.csv"
IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")


def fill_gradebook(export: Path, out_dir: Path, assignment: str, title: str,
                   rows: list[dict], column: str | None = None) -> tuple[Path, list[str]]:
    """Write ``canvas-import.csv``: ``export`` cut to its student columns and this
    assignment's column, holding the batch's scores.  Returns it and the
    students found on one side only."""
    header, body = _read_export(export)
    identity = [i for i, name in enumerate(header) if name.strip() in IDENTITY]
    if "ID" not in [header[i].strip() for i in identity]:
        raise UsageError(f"{export}: no ID column; export the gradebook from Canvas "
                         "(Grades > Export > Export Entire Gradebook) and pass that file")
    target = _assignment_column(header, identity, assignment, title, column, export)
    id_at = next(i for i in identity if header[i].strip() == "ID")
    scores = {row["canvas_user"]: row for row in rows if row.get("canvas_user")}
    by_login = {row["student_id"].lower(): row for row in rows}
    seen, missing = set(), []
    path = Path(out_dir) / IMPORT_FILE
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header[i] for i in identity] + [header[target]])
        for line in body:
            line = line + [""] * (len(header) - len(line))
            cell = line[target]
            student_row = line[id_at].strip().isdigit()
            if student_row:
                row = scores.get(line[id_at].strip()) or _by_sis(line, header, identity, by_login)
                if row is None:
                    missing.append(f"in the Canvas gradebook, no submission: "
                                   f"{line[identity[0]].strip()} (ID {line[id_at].strip()})")
                else:
                    seen.add(row["student_id"])
                    if row["status"] != Status.ERROR:
                        cell = num(row["result"]["score"])
            writer.writerow([line[i] for i in identity] + [cell])
    extra = [f"graded, not in the Canvas gradebook: {row['student_id']} ({row['file']})"
             for row in rows if row["student_id"] not in seen]
    return path, extra + missing


def _read_export(export: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with open(export, newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except OSError as exc:
        raise UsageError(f"--canvas-gradebook {export}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"--canvas-gradebook {export}: not a UTF-8 CSV file; pass the file "
                         "Canvas exported, unedited") from None
    if not lines or "Student" not in [cell.strip() for cell in lines[0]]:
        raise UsageError(f"{export}: not a Canvas gradebook export (no Student column in its "
                         "first line)")
    return lines[0], lines[1:]


def _assignment_column(header, identity, assignment, title, column, export) -> int:
    """The export's column for this assignment: ``column`` if given, else the one whose
    name (without Canvas's ``(id)``) is the rubric title or contains the assignment."""
    candidates = [i for i in range(len(header)) if i not in identity and header[i].strip()]
    if column:
        chosen = [i for i in candidates if header[i].strip() == column.strip()
                  or _bare(header[i]) == column.strip().lower()]
    else:
        wanted = {title.strip().lower(), assignment.lower()}
        chosen = [i for i in candidates if _bare(header[i]) in wanted] or \
            [i for i in candidates
             if re.search(rf"(?<![a-z0-9]){re.escape(assignment.lower())}(?![a-z0-9])",
                          _bare(header[i]))]
    if len(chosen) == 1:
        return chosen[0]
    listed = ", ".join(repr(header[i]) for i in (chosen or candidates)[:12])
    why = "several columns match" if chosen else "no column matches"
    raise UsageError(f"{export}: {why} {column or assignment!r}; pass --canvas-column with "
                     f"one of: {listed}")


def _bare(name: str) -> str:
    """A Canvas column name without its trailing assignment id: 'HW1 (12345)' -> 'hw1'."""
    return re.sub(r"\s*\(\d+\)\s*$", "", name).strip().lower()


def _by_sis(line, header, identity, by_login):
    for i in identity:
        if header[i].strip() in ("SIS Login ID", "SIS User ID") and line[i].strip():
            row = by_login.get(line[i].strip().lower())
            if row is not None:
                return row
    return None
