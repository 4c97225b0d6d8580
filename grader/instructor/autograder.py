"""Run as a Gradescope autograder: grade ``/autograder/submission``, write results.json.

A ``run_autograder`` script only needs::

    cd /autograder/source && python -m grader gradescope --assignment hw1

The submission folder is searched like a batch (one .ipynb or .py); the
result goes through the same export as ``grader batch`` so both agree.
"""
import json
from pathlib import Path

from grader.instructor import submissions
from grader.instructor.job import failed_row, grade_file, not_graded_json
from grader.instructor.exports import gradescope
from grader.status import Status

SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_FILE = Path("/autograder/results/results.json")


def run(assignment: str, submission_dir: Path = SUBMISSION_DIR,
        results_file: Path = RESULTS_FILE) -> dict:
    """Grade the submission in ``submission_dir``; returns what was written.

    The file graded is chosen as in a batch: a notebook over ``.py`` helper
    files, which are listed as ignored.  A submission with nothing gradable
    gets status ``unsupported`` and the reason.
    """
    chosen = submissions.choose_one(Path(submission_dir), assignment)
    if chosen.unsupported:
        row = failed_row(Status.UNSUPPORTED, chosen.unsupported)
    else:
        row = grade_file(str(chosen.path), assignment, full=False)
    row["status_message"] = "; ".join(n for n in (*chosen.notes, row["status_message"]) if n)
    if row["result"] is None:
        row["result"] = not_graded_json(assignment, row["status_message"])
    data = gradescope.results({**row, "student_id": "student", "file": chosen.name})
    results_file = Path(results_file)
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(data, indent=2) + "\n")
    return data
