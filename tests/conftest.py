"""Shared helpers for the harness's own tests: run the real CLI on files."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"


def run_grader(*args, cwd=REPO, timeout=300) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` in a child process, as a user would run it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
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
