"""Limits live in grader/config.py: no module names its own size, time or count
limit, and the submission size limit holds for .py files in a batch too."""
import ast
import json
import sqlite3

from conftest import REFERENCE, REPO, run_grader
from grader import config

# Module-level names that look like limits (``*_S``, ``*_BYTES``, ``*_CHARS``...).
LIMIT_SUFFIXES = ("_S", "_BYTES", "_CHARS", "_KEPT", "_ATTEMPTS", "_AHEAD", "_LIMIT")
# Where config cannot be imported: install.py runs before the virtualenv exists
# (config imports hypothesis); grader/box and the message format it shares (wire.py)
# run beside student code and import nothing from the scoring side.  The bench
# modules' numbers are targets, not limits.
EXEMPT = ("install.py", "wire.py", "bench.py", "bench_batch.py", "bench_load.py",
          "bench_dask.py")


def _own_limits(path):
    """Module-level ``NAME = <number>`` for limit-like names."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.BinOp)):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.endswith(LIMIT_SUFFIXES):
                    found.append(f"{path.name}:{node.lineno} {target.id}")
    return found


def test_no_module_outside_config_sets_its_own_limits():
    grader = REPO / "grader"
    skip = {"box", "checks", "release_template", "gradescope_template", "d2l_shim", "native"}
    modules = [p for p in grader.rglob("*.py") if not skip & set(p.relative_to(grader).parts)
               and p.name not in EXEMPT and p.name != "config.py"]
    assert len(modules) > 30
    assert [hit for path in modules for hit in _own_limits(path)] == []


def test_an_oversized_py_is_refused_clearly_and_costs_nothing_else(tmp_path):
    """A .py over the submission limit is never read (a sparse file: no disk used), gets
    status unreadable with the sizes and what to do, and its neighbours are graded as
    if it were not there."""
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    with open(folder / "huge_1_2_hw1.py", "wb") as handle:
        handle.truncate(config.MAX_SUBMISSION_BYTES + 1)
    (folder / "honest_3_4_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    (folder / "stub_5_6_hw1.py").write_text((REPO / "assignments/hw1/hw1.py").read_text())
    proc = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress",
                      timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {row[0]: row for row in sqlite3.connect(out / "gradebook.sqlite").execute(
        "SELECT student_id, status, status_message, score, result_json FROM results")}
    limit_mib = config.MAX_SUBMISSION_BYTES >> 20
    student, status, message, score, _ = rows["huge_1"]
    assert (status, score) == ("unreadable", 0)
    assert f"huge_1_2_hw1.py: {limit_mib} MiB is more than the {limit_mib} MiB" in message
    assert "not a homework solution" in message
    honest = json.loads(rows["honest_3"][4])
    assert rows["honest_3"][1] == "graded" and honest["score"] == honest["max_score"] > 0
    assert rows["stub_5"][1] == "graded" and rows["stub_5"][3] == 0
    assert len(rows) == 3
