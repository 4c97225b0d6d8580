"""Shared helpers for the harness's own tests: run the real CLI on files."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"


def run_grader(*args, cwd=REPO, timeout=300, env=None) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` in a child process, as a user would run it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def grade_json(path, assignment, tmp_path, *extra) -> tuple[dict, subprocess.CompletedProcess]:
    out = tmp_path / f"result-{Path(path).stem}.json"
    proc = run_grader("grade", path, "--assignment", assignment, "--json", out, *extra)
    assert out.exists(), f"no JSON written; exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text()), proc


def with_reference(mutant: Path, assignment: str, tmp_path: Path) -> Path:
    """The reference solution with the mutant's definitions appended (later ones win)."""
    combined = tmp_path / f"{assignment}.py"
    combined.write_text((REFERENCE / f"{assignment}.py").read_text() + "\n\n"
                        + mutant.read_text())
    return combined


@pytest.fixture
def grade(tmp_path):
    def _grade(path, assignment, *extra):
        return grade_json(path, assignment, tmp_path, *extra)
    return _grade


def session_dir(tmp_path_factory) -> Path:
    """A folder shared by every xdist worker of this test session."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def cached_batch(cache: Path, name: str, assignment: str, build) -> dict[str, dict]:
    """Grade the folder ``build(folder)`` fills with ``grader batch``, once per session.

    Returns ``student_id -> gradebook row`` (see ``grader.instructor.gradebook``).  Several
    xdist workers asking for the same batch wait on a file lock for the first.
    """
    from filelock import FileLock
    stamp = cache / f"{name}.json"
    with FileLock(str(stamp) + ".lock"):
        if not stamp.exists():
            folder, out = cache / f"{name}-submissions", cache / f"{name}-out"
            folder.mkdir()
            build(folder)
            proc = run_grader("batch", folder, "--assignment", assignment, "--out", out,
                              "--no-progress", timeout=1800)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            from grader.instructor.gradebook import Gradebook
            book = Gradebook(out / "gradebook.sqlite")
            stamp.write_text(json.dumps({row["student_id"]: row for row in book.rows(assignment)}))
            book.close()
    return json.loads(stamp.read_text())
