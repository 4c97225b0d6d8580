"""Batch scorers: recycled after a count, replaced when stuck, gone with the batch.

These would have caught the ProcessPoolExecutor deadlock (CPython issue
115634): they grade more submissions than scorers x recycle count.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, REFERENCE
from grader import spawner
from grader.instructor import scorers

STUB = (REPO / "assignments" / "hw1" / "hw1.py").read_text()


def _folder(tmp_path, count: int) -> Path:
    """``count`` submissions, alternating the reference (47) and the stub (0)."""
    folder = tmp_path / "subs"
    folder.mkdir()
    for index in range(count):
        text = (REFERENCE / "hw1.py").read_text() if index % 2 == 0 else STUB
        (folder / f"s{index}_{index}_9_hw1.py").write_text(text)
    return folder


def _expected(path) -> int:
    return 47 if int(Path(path).name.split("_")[1]) % 2 == 0 else 0


def test_more_submissions_than_scorers_times_recycle_count(tmp_path):
    files = sorted(str(p) for p in _folder(tmp_path, 9).iterdir())
    rows = {}
    with scorers.ScorerPool(2, "hw1", spawner.start(), recycle_after=2) as pool:
        pool.grade(files, lambda p: (p, "hw1", False, []), rows.setdefault)
    assert sorted(rows) == files
    assert {p: rows[p]["result"]["score"] for p in files} == {p: _expected(p) for p in files}
    assert pool.scorers_started >= 5   # 9 submissions, at most 2 per scorer


def test_a_dead_scorer_is_replaced_and_its_submission_retried(tmp_path):
    files = sorted(str(p) for p in _folder(tmp_path, 3).iterdir())
    rows = {}
    with scorers.ScorerPool(1, "hw1", spawner.start()) as pool:
        first = pool._fork()
        pool._idle.append(first)   # the scorer the first submission will be given
        os.kill(first.pid, signal.SIGKILL)
        pool.grade(files, lambda p: (p, "hw1", False, []), rows.setdefault)
    assert {p: rows[p]["result"]["score"] for p in files} == {p: _expected(p) for p in files}
    assert pool.scorers_started == 2


def test_a_frozen_scorer_costs_one_submission_not_the_batch(tmp_path):
    """SIGSTOP a scorer mid-batch: that submission becomes a grader error that says
    what happened, every other one is graded, and the batch ends."""
    folder, out = _folder(tmp_path, 9), tmp_path / "out"
    command = [sys.executable, "-m", "grader", "batch", str(folder), "--assignment", "hw1",
               "--out", str(out), "--jobs", "2", "--no-progress", "--stall-timeout", "20"]
    batch = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _until(lambda: _rows(out), what="a first result")
        frozen = _scorer_pids(batch.pid)[0]
        os.kill(frozen, signal.SIGSTOP)
        output, _ = batch.communicate(timeout=300)
    finally:
        batch.kill()
    rows = _rows(out)
    assert batch.returncode == 3, output   # grader errors: not a clean run
    errors = {sid: row for sid, row in rows.items() if row[0] == "error"}
    assert len(rows) == 9 and len(errors) == 1, rows
    [(sid, (_, message, _))] = errors.items()
    assert "stopped responding" in message and f"--regrade {sid}" in message
    assert sid in output and "stopped responding" in output
    for sid, (status, _, score) in rows.items():
        if status != "error":
            assert status == "graded" and score == _expected(f"x_{sid.split('_')[1]}_")
    _until(lambda: not _alive(frozen), what="the frozen scorer to be gone")


def test_nothing_outlives_a_killed_batch(tmp_path):
    folder, out = _folder(tmp_path, 6), tmp_path / "out"
    command = [sys.executable, "-m", "grader", "batch", str(folder), "--assignment", "hw1",
               "--out", str(out), "--jobs", "2", "--no-progress"]
    batch = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _until(lambda: _rows(out) and len(_scorer_pids(batch.pid)) == 2, what="two busy scorers")
    family = _descendants(batch.pid)
    assert len(family) >= 4   # the scorer host, two scorers, the workers' fork server
    batch.send_signal(signal.SIGKILL)
    batch.wait()
    _until(lambda: not [pid for pid in family if _alive(pid)], timeout=20,
           what=f"every process of the batch to end: {family}")


# --- helpers ---------------------------------------------------------------------

def _rows(out: Path) -> dict:
    try:
        with sqlite3.connect(out / "gradebook.sqlite") as db:
            return {sid: (status, message, score) for sid, status, message, score in db.execute(
                "SELECT student_id, status, status_message, score FROM results")}
    except sqlite3.OperationalError:   # not created yet
        return {}


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _scorer_pids(batch: int) -> list[int]:
    """The scorers: children of the batch's scorer host."""
    hosts = [pid for pid in _children(batch) if b"serve_host" in _cmdline(pid)]
    return [pid for host in hosts for pid in _children(host)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition, timeout=300, what="a condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_warmed_up_host_is_the_one_that_forks_and_an_unused_one_ends_at_once(tmp_path):
    """The batch starts the host before it has found any submission (the imports
    overlap); with nothing to grade it must not wait for those imports to end."""
    with scorers.ScorerPool(1, "hw1", spawner.start()) as pool:
        pool.warm_up()
        host = pool._host
        pool.warm_up()                       # idempotent: still the same host
        assert pool._host is host
        files = [str(p) for p in _folder(tmp_path, 1).iterdir()]
        rows = {}
        pool.grade(files, lambda p: (p, "hw1", False, []), rows.setdefault)
        assert rows[files[0]]["result"]["score"] == 47
        assert pool._host is host and pool.scorers_started == 1
    unused = scorers.ScorerPool(1, "hw1", spawner.start())
    unused.warm_up()
    process = unused._host.process
    started = time.monotonic()
    unused.close()
    assert process.poll() is not None and time.monotonic() - started < 2


def test_a_rubric_the_host_cannot_load_is_the_instructors_error_not_a_dead_host():
    """The batch's own process does not look banned names up (that imports torch);
    the host does, and what it refuses reaches the batch as a ConfigError naming it,
    before any submission is graded."""
    from grader.errors import ConfigError
    pool = scorers.ScorerPool(1, "no_such_assignment", spawner.start())
    try:
        with pytest.raises(ConfigError, match="no rubric for assignment 'no_such_assignment'"):
            pool._fork()
    finally:
        pool.close()


def test_with_nothing_to_grade_the_host_still_checks_the_rubric():
    """A rerun with every submission already graded grades nothing, but a ban name
    misspelled since must still stop it (it forks one scorer and keeps it idle)."""
    from grader.errors import ConfigError
    with scorers.ScorerPool(1, "no_such_assignment", spawner.start()) as pool:
        with pytest.raises(ConfigError, match="no_such_assignment"):
            pool.confirm_rubric()
    with scorers.ScorerPool(1, "hw1", spawner.start()) as pool:
        pool.confirm_rubric()
        assert pool.scorers_started == 1 and len(pool._idle) == 1


def test_the_batch_process_itself_imports_no_torch(tmp_path):
    """About 2 CPU-seconds of every batch: the scorer host and the fork server import
    torch; the process that hands out submissions and writes the exports need not."""
    folder = _folder(tmp_path, 1)
    probe = ("import runpy, sys; sys.argv = ['grader', 'batch', sys.argv[1], '--assignment', "
             "'hw1', '--out', sys.argv[2], '--no-progress']\n"
             "try:\n    runpy.run_module('grader', run_name='__main__')\n"
             "finally:\n    print('TORCH', 'torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", probe, str(folder), str(tmp_path / "out")],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "TORCH False" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "1 graded" in proc.stdout
