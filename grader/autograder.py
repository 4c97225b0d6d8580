"""Run as a Gradescope autograder: grade ``/autograder/submission``, write results.json.

A ``run_autograder`` script only needs::

    cd /autograder/source && python -m grader gradescope --assignment hw1

The submission folder is searched like a batch (one .ipynb or .py); the
result goes through the same export as ``grader batch`` so both agree.
"""
import json
from pathlib import Path

from grader import submissions
from grader.job import grade_file, not_graded_json
from grader.exports import gradescope

SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_FILE = Path("/autograder/results/results.json")


def run(assignment: str, submission_dir: Path = SUBMISSION_DIR,
        results_file: Path = RESULTS_FILE) -> dict:
    """Grade the one submission in ``submission_dir``; returns what was written."""
    files = sorted(p for p in Path(submission_dir).rglob("*") if p.suffix in submissions.SUFFIXES)
    if len(files) == 1:
        row = grade_file(str(files[0]), assignment, full=False)
    else:
        why = "no .ipynb or .py file" if not files else \
            f"{len(files)} files ({', '.join(p.name for p in files[:5])}); submit exactly one"
        row = {"status": "unreadable", "status_message": f"the submission has {why}",
               "seconds": 0.0, "result": None}
    if row["result"] is None:
        row["result"] = not_graded_json(assignment, row["status_message"])
    data = gradescope.results({**row, "student_id": "student",
                               "file": files[0].name if files else ""})
    results_file = Path(results_file)
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(data, indent=2) + "\n")
    return data

