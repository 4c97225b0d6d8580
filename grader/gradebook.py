"""The batch's gradebook: one SQLite row per student, written as each finishes.

A batch killed at any point loses only the submissions in flight; started
again, it grades only students without a row for the same file content
(sha256).  WAL mode keeps readers (exports) and the writer apart.
"""
import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student_id     TEXT PRIMARY KEY,
    file           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    assignment     TEXT NOT NULL,
    status         TEXT NOT NULL,      -- graded | unreadable | error
    status_message TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    seconds        REAL NOT NULL,
    graded_at      REAL NOT NULL,
    result_json    TEXT NOT NULL
)
"""


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.db.commit()

    def close(self):
        self.db.close()

    def graded(self, assignment: str) -> dict[str, str]:
        """student_id -> sha256 of what was graded, for this assignment."""
        rows = self.db.execute("SELECT student_id, sha256 FROM results WHERE assignment = ?",
                               (assignment,))
        return dict(rows.fetchall())

    def record(self, row: dict) -> None:
        """Insert or replace one student's result, committed at once."""
        result = row["result"]
        self.db.execute(
            "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (row["student_id"], row["file"], row["sha256"], result["assignment"],
             row["status"], row["status_message"], result["score"], result["max_score"],
             row["seconds"], time.time(), json.dumps(result)))
        self.db.commit()

    def rows(self, assignment: str) -> list[dict]:
        cursor = self.db.execute(
            "SELECT student_id, file, status, status_message, seconds, result_json "
            "FROM results WHERE assignment = ? ORDER BY student_id", (assignment,))
        return [{"student_id": sid, "file": file, "status": status,
                 "status_message": message, "seconds": seconds, "result": json.loads(blob)}
                for sid, file, status, message, seconds, blob in cursor.fetchall()]
