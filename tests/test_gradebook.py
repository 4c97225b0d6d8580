"""grader.instructor.gradebook on its own: rows keyed by (assignment, student), kept across runs."""
import sqlite3

from grader.instructor.gradebook import COLUMNS, Gradebook


def _row(student="s1", assignment="hw1", score=7.5, sha="abc", **extra):
    return {"student_id": student, "file": f"{student}.py", "sha256": sha, "status": "graded",
            "status_message": "", "seconds": 1.25,
            "result": {"assignment": assignment, "score": score, "max_score": 10.0,
                       "components": []}, **extra}


def test_a_recorded_row_reads_back_as_written(tmp_path):
    book = Gradebook(tmp_path / "g.sqlite")
    book.record(_row(late=True, canvas_user="42"))
    book.record(_row("s0"))
    rows = book.rows("hw1")
    assert [r["student_id"] for r in rows] == ["s0", "s1"]
    assert rows[1] == {"student_id": "s1", "file": "s1.py", "status": "graded",
                       "status_message": "", "seconds": 1.25, "late": True, "canvas_user": "42",
                       "result": {"assignment": "hw1", "score": 7.5, "max_score": 10.0,
                                  "components": []}}
    assert rows[0]["late"] is False and rows[0]["canvas_user"] == ""
    book.close()


def test_rows_are_kept_per_assignment_and_replaced_per_student(tmp_path):
    book = Gradebook(tmp_path / "g.sqlite")
    book.record(_row(sha="old"))
    book.record(_row(sha="new", score=9.0))
    book.record(_row(assignment="hw2", sha="other"))
    assert book.graded("hw1") == {"s1": "new"} and book.graded("hw2") == {"s1": "other"}
    assert [r["result"]["score"] for r in book.rows("hw1")] == [9.0]
    assert book.graded("hw3") == {} and book.rows("hw3") == []
    book.close()
    reopened = Gradebook(tmp_path / "g.sqlite")   # committed at once: a new process sees it
    assert reopened.graded("hw1") == {"s1": "new"}
    stored = reopened.db.execute("SELECT score, max_score, assignment FROM results "
                                 "WHERE assignment = 'hw1'").fetchall()
    assert stored == [(9.0, 10.0, "hw1")]
    assert reopened.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened.close()


OLD_SCHEMA = """CREATE TABLE results (student_id TEXT PRIMARY KEY, file TEXT, sha256 TEXT,
    assignment TEXT, status TEXT, status_message TEXT, score REAL, max_score REAL,
    seconds REAL, graded_at REAL, result_json TEXT)"""


def test_an_old_gradebook_is_upgraded_without_losing_a_row(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(OLD_SCHEMA)
    db.execute("INSERT INTO results VALUES ('s1', 's1.py', 'h', 'hw1', 'graded', '', 5, 10, 1, "
               "0, '{\"score\": 5}')")
    db.commit()
    db.close()
    book = Gradebook(path)
    columns = [r[1] for r in book.db.execute("PRAGMA table_info(results)")]
    assert columns == list(COLUMNS)
    assert book.graded("hw1") == {"s1": "h"}
    assert book.rows("hw1")[0]["late"] is False
    tables = {r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"results"}
    book.record(_row("s1", assignment="hw2"))   # now keyed by assignment too
    assert book.graded("hw1") == {"s1": "h"} and book.graded("hw2") == {"s1": "abc"}
    book.close()


def test_a_current_gradebook_is_left_as_it_is(tmp_path):
    book = Gradebook(tmp_path / "g.sqlite")
    book.record(_row())
    book.close()
    again = Gradebook(tmp_path / "g.sqlite")
    assert again.graded("hw1") == {"s1": "abc"}
    again.close()


def test_opening_a_current_gradebook_rewrites_no_table(tmp_path, monkeypatch):
    Gradebook(tmp_path / "g.sqlite").close()
    statements, connect = [], sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db
    monkeypatch.setattr(sqlite3, "connect", traced)
    Gradebook(tmp_path / "g.sqlite").close()
    assert statements and not [s for s in statements if s.split()[0].upper() in
                               ("ALTER", "INSERT", "DROP")]
