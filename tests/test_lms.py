"""A real LMS download, end to end: every file gets a row, Canvas round trip,
late policy, several assignments in one output folder, Ctrl-C, the log."""
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO, run_grader
from grader.instructor import submissions
from grader.errors import UsageError
from grader.instructor.gradebook import Gradebook
from grader.instructor.policy import LatePolicy, load

STUB = (REPO / "assignments" / "hw1" / "hw1.py").read_text()
EXPORT = REPO / "tests" / "fixtures" / "canvas" / "gradebook_export.csv"
NOTEBOOK = (REPO / "assignments" / "hw1" / "hw1.ipynb").read_text()


def _download(folder: Path) -> Path:
    """Shaped like Canvas's "Download submissions": login[_late]_user_submission_name."""
    folder.mkdir()
    reference = (REFERENCE / "hw1.py").read_text()
    files = {
        "smithjohn_12345_67890_hw1.py": STUB,                     # first attempt: the stub
        "smithjohn_late_12345_67891_hw1-1.py": reference,        # resubmitted, late
        "doejane_23456_70001_hw1.ipynb": NOTEBOOK,               # notebook + helper: nb wins
        "doejane_23456_70001_helpers.py": "def helper():\n    return 1\n",
        "upperuser_45678_70002_HW1.PY": reference,              # extension in capitals
        "pdfperson_56789_70003_hw1.pdf": "%PDF-1.4 not a program",  # nothing gradable
        "zipper_67890_70004_hw1.zip": "PK not really",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / ".DS_Store").write_text("")
    return folder


def _rows(out: Path) -> dict:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return {(a, sid): dict(status=st, score=sc, message=m, late=late, file=f)
                for a, sid, st, sc, m, late, f in db.execute(
                    "SELECT assignment, student_id, status, score, status_message, late, file "
                    "FROM results")}


def _flat(text: str) -> str:
    """Terminal output without rich's line wrapping."""
    return " ".join(text.split())


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_file_of_a_download_gets_a_row_by_the_documented_rules(tmp_path):
    folder, out = _download(tmp_path / "subs"), tmp_path / "out"
    proc = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {sid: row for (a, sid), row in _rows(out).items()}
    assert set(rows) == {"smithjohn_12345", "doejane_23456", "upperuser_45678",
                         "pdfperson_56789", "zipper_67890"}
    smith = rows["smithjohn_12345"]   # the highest submission id wins, and it is late
    assert smith["score"] == 47 and smith["late"] == 1
    assert smith["file"] == "smithjohn_late_12345_67891_hw1-1.py"
    assert "superseded: smithjohn_12345_67890_hw1.py" in smith["message"]
    jane = rows["doejane_23456"]
    assert jane["status"] == "graded" and jane["file"].endswith(".ipynb")
    assert "ignored: doejane_23456_70001_helpers.py" in jane["message"]
    assert rows["upperuser_45678"]["score"] == 47
    for sid in ("pdfperson_56789", "zipper_67890"):
        assert rows[sid]["status"] == "unsupported" and rows[sid]["score"] == 0
        assert ".ipynb" in rows[sid]["message"]
    assert "2 unsupported" in _flat(proc.stdout)
    grades = {r["student_id"]: r for r in _csv(out / "grades.csv")}
    assert grades["smithjohn_12345"]["late"] == "yes" and grades["doejane_23456"]["late"] == ""
    assert grades["pdfperson_56789"]["status"] == "unsupported"
    feedback = (out / "feedback" / "pdfperson_56789.md").read_text()
    assert "cannot be graded" in feedback and ".pdf" in feedback
    assert "superseded" in (out / "feedback" / "smithjohn_12345.md").read_text()
    canvas = {r["ID"]: r for r in _csv(out / "canvas.csv") if r["ID"]}
    assert canvas["12345"]["Student"] == "smithjohn" and canvas["23456"]["SIS Login ID"] == ""
    log = (out / "batch.log").read_text()
    assert "batch hw1: 5 students" in log and "smithjohn_12345: graded 47/47" in log
    assert not (out / submissions.STAGING / "hw1").exists()   # staged copies are cleared


def test_canvas_round_trip_fills_the_existing_column_and_lists_the_unmatched(tmp_path):
    folder, out = _download(tmp_path / "subs"), tmp_path / "out"
    proc = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress",
                      "--canvas-gradebook", EXPORT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = list(csv.reader(open(out / "canvas-import.csv", newline="")))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW1 (1401)"]
    by_id = {line[1]: line for line in lines[1:]}
    assert by_id[""][0].strip() == "Points Possible" and by_id[""][-1] == "47.00"
    assert by_id["12345"][-1] == "47"                 # John, matched by Canvas user id
    assert by_id["34567"][-1] == ""                   # Quinn sent nothing: left unchanged
    assert "in the Canvas gradebook, no submission: Quiet, Quinn (ID 34567)" in _flat(proc.stdout)
    assert "graded, not in the Canvas gradebook: upperuser_45678" in _flat(proc.stdout)
    wrong = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress",
                       "--canvas-gradebook", EXPORT, "--canvas-column", "HW9")
    assert wrong.returncode == 2 and "HW1 (1401)" in _flat(wrong.stderr)  # says which exist


@pytest.mark.parametrize("policy, smith", [("penalty = 0.25", 35.25), ("cap = 0.5", 23.5),
                                           ("zero = true", 0)])
def test_late_policy_from_course_toml(tmp_path, policy, smith):
    folder, out = _download(tmp_path / "subs"), tmp_path / "out"
    (tmp_path / "course.toml").write_text(f"[late]\n{policy}\n")
    proc = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress",
                      cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grades = {r["student_id"]: r for r in _csv(out / "grades.csv")}
    assert float(grades["smithjohn_12345"]["total"]) == smith
    assert grades["smithjohn_12345"]["late_penalty"].startswith("late: ")
    assert float(grades["upperuser_45678"]["total"]) == 47   # on time: untouched
    assert _rows(out)[("hw1", "smithjohn_12345")]["score"] == 47   # the gradebook keeps it


def test_policy_files_are_checked():
    assert LatePolicy().apply(40, 47, late=True) == (40, "")
    assert LatePolicy("penalty", 0.1).apply(40, 47, late=False) == (40, "")
    assert LatePolicy("cap", 0.9).apply(40, 47, late=True) == (40, "")   # under the cap
    for text in ("[late]\npenalty = 2\n", "[late]\npenalty = 0.1\ncap = 0.5\n",
                 "[late]\npenalti = 0.1\n", "[lates]\npenalty = 0.1\n", "[late\n",
                 "[late]\nzero = false\n"):
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"policy-{os.getpid()}.toml"
        path.write_text(text)
        with pytest.raises(UsageError):
            load(path)
        path.unlink()


def test_one_out_folder_holds_several_assignments(tmp_path):
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    (folder / "ann_1_2_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    (folder / "ann_1_2_hw2.py").write_text((REFERENCE / "hw2.py").read_text())
    for assignment in ("hw1", "hw2"):
        proc = run_grader("batch", folder, "--assignment", assignment, "--out", out,
                          "--no-progress", "--id-pattern", r"^(?P<id>[a-z]+_\d+)")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(out)
    assert rows[("hw1", "ann_1")]["score"] == 47 and rows[("hw2", "ann_1")]["status"] == "graded"


def test_an_old_gradebook_is_upgraded_without_losing_rows(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE results (student_id TEXT PRIMARY KEY, file TEXT NOT NULL, "
                   "sha256 TEXT NOT NULL, assignment TEXT NOT NULL, status TEXT NOT NULL, "
                   "status_message TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,"
                   " seconds REAL NOT NULL, graded_at REAL NOT NULL, result_json TEXT NOT NULL)")
        db.execute("INSERT INTO results VALUES ('a_1', 'f.py', 'abc', 'hw1', 'graded', '', 40,"
                   " 47, 1.0, 0, '{\"score\": 40, \"max_score\": 47}')")
    book = Gradebook(path)
    assert book.graded("hw1") == {"a_1": "abc"}
    assert book.rows("hw1")[0]["late"] is False
    book.close()


def test_ctrl_c_says_how_to_resume_and_exits_130(tmp_path):
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    for index in range(6):
        (folder / f"s{index}_{index}_9_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    batch = subprocess.Popen([sys.executable, "-m", "grader", "batch", str(folder),
                              "--assignment", "hw1", "--out", str(out), "--no-progress",
                              "--jobs", "1"], cwd=REPO, text=True, start_new_session=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not (out / "batch.log").exists() or "graded" not in (out / "batch.log").read_text():
        assert time.monotonic() < deadline and batch.poll() is None
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGINT)   # what Ctrl-C in a terminal does
    stdout, stderr = batch.communicate(timeout=60)
    assert batch.returncode == 130, stdout + stderr
    assert "run the same command again" in _flat(stderr) and "Traceback" not in stdout + stderr
    assert "interrupted" in (out / "batch.log").read_text()


def test_an_unexpected_grader_exception_exits_3_with_one_line(tmp_path):
    """A grader bug (here: an unreadable gradebook file) is one line and exit 3; the
    traceback goes to a log in the output folder, never to the terminal."""
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    (folder / "a_1_2_hw1.py").write_text(STUB)
    (out / "gradebook.sqlite").write_text("this is not a database")
    proc = run_grader("batch", folder, "--assignment", "hw1", "--out", out, "--no-progress")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    logs = list(out.glob("grader-error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text()
    assert logs[0].name in "".join(proc.stderr.split())   # rich may wrap the path


def test_oversized_files_are_refused_without_reading_them(tmp_path, monkeypatch):
    from grader import config, loader
    monkeypatch.setattr(config, "MAX_SUBMISSION_BYTES", 1000)
    for name in ("hw1.py", "hw1.ipynb"):
        path = tmp_path / name
        path.write_text("x = 1\n" * 400)
        with pytest.raises(UsageError, match="MiB a submission may have"):
            loader.load_chunks(path, "hw1")


def test_what_is_graded_is_what_was_read_once_and_hashed(tmp_path):
    """A submission rewritten after discovery (by another student's code, say) does not
    change what is graded: each file is read once into a private copy, which is hashed."""
    import hashlib
    folder = _download(tmp_path / "subs")
    found = submissions.discover(folder, tmp_path / "work", assignment="hw1")
    staged = submissions.stage(found, tmp_path / "staged")
    smith = next(s for s in staged if s.student_id == "smithjohn_12345")
    before = smith.path.read_bytes()
    smith.original.write_text("def softmax(X):\n    return X\n")   # rewritten afterwards
    assert smith.path.read_bytes() == before
    assert smith.sha256 == hashlib.sha256(before).hexdigest()
    assert smith.path.parent.parent == tmp_path / "staged" and smith.name == smith.original.name
    upper = next(s for s in staged if s.student_id == "upperuser_45678")
    assert upper.path.suffix == ".py" and upper.original.suffix == ".PY"
