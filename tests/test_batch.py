"""The instructor's batch: isolated, resumable, one bad file never stops it."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest
import torch

from conftest import REPO, REFERENCE, run_grader

STUB = (REPO / "assignments" / "hw1" / "hw1.py").read_text()


def gradebook(out):
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        rows = db.execute("SELECT student_id, status, score, graded_at, result_json FROM results")
        return {sid: {"status": st, "score": sc, "graded_at": at, "result": json.loads(blob)}
                for sid, st, sc, at, blob in rows.fetchall()}


@pytest.fixture
def submissions(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "alice_1_11_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    (folder / "bob_late_2_22_hw1.py").write_text(STUB)
    (folder / "carol_3_33_hw1.ipynb").write_text('{"cells": [')
    (folder / "dave_4_44_hw1.py").write_text((REFERENCE / "hw1.py").read_text() +
                                             "\ndef relu(X):\n    while True:\n        pass\n")
    return folder


def test_batch_grades_everyone_and_survives_bad_files(submissions, tmp_path):
    out = tmp_path / "out"
    proc = run_grader("batch", submissions, "--assignment", "hw1", "--out", out, "--jobs", "2",
                      "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    book = gradebook(out)
    assert set(book) == {"alice_1", "bob_2", "carol_3", "dave_4"}
    assert book["alice_1"]["score"] == book["alice_1"]["result"]["max_score"] == 47
    assert book["bob_2"]["score"] == 0 and book["bob_2"]["status"] == "graded"
    assert book["carol_3"]["status"] == "unreadable" and book["carol_3"]["score"] == 0
    dave = {c["name"]: c for c in book["dave_4"]["result"]["components"]}
    assert dave["relu"]["score"] == 0 and "timeout" in {c["status"] for c in dave["relu"]["checks"]}
    for name in ("softmax", "cross_entropy", "sgd"):  # a hang costs only what it touches
        assert dave[name]["score"] == dave[name]["max_score"]
    assert 0 < dave["mlp_scratch"]["score"] < dave["mlp_scratch"]["max_score"]  # uses relu
    for name in ("grades.csv", "canvas.csv", "report.html"):
        assert (out / name).exists(), name
    assert (out / "feedback" / "carol_3.md").exists()
    assert "invalid JSON" in (out / "grades.csv").read_text()


def test_second_run_grades_only_what_changed_and_regrade_one(submissions, tmp_path):
    out = tmp_path / "out"
    args = ("batch", submissions, "--assignment", "hw1", "--out", out, "--no-progress")
    assert run_grader(*args).returncode == 0
    first = gradebook(out)
    proc = run_grader(*args)
    assert "4 already in the gradebook" in proc.stdout
    assert gradebook(out) == first
    (submissions / "bob_late_2_22_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    run_grader(*args, "--regrade", "alice_1")
    after = gradebook(out)
    assert after["bob_2"]["score"] == 47 and after["bob_2"]["graded_at"] > first["bob_2"]["graded_at"]
    assert after["alice_1"]["graded_at"] > first["alice_1"]["graded_at"]
    assert after["carol_3"]["graded_at"] == first["carol_3"]["graded_at"]


def test_a_killed_batch_resumes_without_losing_or_changing_grades(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for index in range(6):
        (folder / f"s{index}_{index}_9_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "grader", "batch", str(folder), "--assignment", "hw1",
               "--out", str(out), "--jobs", "1", "--no-progress"]
    proc = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if 1 <= _rows_so_far(out) < 6:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = gradebook(out)
    assert 1 <= len(partial) < 6
    resumed = run_grader(*command[3:])
    assert resumed.returncode == 0
    assert f"{len(partial)} already in the gradebook" in resumed.stdout
    final = gradebook(out)
    assert len(final) == 6 and {r["score"] for r in final.values()} == {47}
    for sid, row in partial.items():
        assert final[sid]["graded_at"] == row["graded_at"]


def _rows_so_far(out) -> int:
    """Rows in a gradebook another process is still creating (0 until it exists)."""
    try:
        return len(gradebook(out)) if (out / "gradebook.sqlite").exists() else 0
    except sqlite3.OperationalError:  # the file exists, its table not yet
        return 0


def test_zip_input_and_unsafe_zips(tmp_path):
    archive = tmp_path / "subs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice_1_11_hw1.py", (REFERENCE / "hw1.py").read_text())
    out = tmp_path / "out"
    assert run_grader("batch", archive, "--assignment", "hw1", "--out", out,
                      "--no-progress").returncode == 0
    assert set(gradebook(out)) == {"alice_1"}
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escape.py", "x = 1")
    proc = run_grader("batch", evil, "--assignment", "hw1", "--out", tmp_path / "o2",
                      "--no-progress")
    assert proc.returncode == 2 and "unsafe path" in proc.stderr
    assert not (tmp_path.parent / "escape.py").exists()


def test_gradescope_autograder_writes_results_json(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "hw1.ipynb").write_text((REPO / "assignments" / "hw1" / "hw1.ipynb").read_text())
    results = tmp_path / "results" / "results.json"
    proc = run_grader("gradescope", "--assignment", "hw1", "--submission", submission,
                      "--results", results)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 0 and len(data["tests"]) > 20
    parity = [t for t in data["tests"] if t["name"].endswith("gpu_parity")]
    assert {t["status"] for t in data["tests"]} == {"failed"}
    if not torch.cuda.is_available():  # not run: neither passed nor failed, and said so
        assert parity == []
        assert "Not run here, 0 points: 5 check(s) (gpu_parity): the grading machine has " \
               "no GPU" in data["output"]
    assert sum(t["max_score"] for t in data["tests"]) == 47
