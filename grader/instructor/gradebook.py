"""The batch's gradebook: one SQLite row per student and assignment, written as
each finishes.

A batch killed at any point loses only the submissions in flight; started
again, it grades only students without a row for the same file content
(sha256).  One output folder can hold several assignments: rows are keyed by
(assignment, student).  WAL mode keeps readers (exports) and the writer apart.
"""
import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student_id     TEXT NOT NULL,
    file           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    assignment     TEXT NOT NULL,
    status         TEXT NOT NULL,      -- graded | unreadable | unsupported | error
    status_message TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    seconds        REAL NOT NULL,
    graded_at      REAL NOT NULL,
    result_json    TEXT NOT NULL,
    late           INTEGER NOT NULL DEFAULT 0,   -- the LMS marked the file late
    canvas_user    TEXT NOT NULL DEFAULT '',     -- Canvas user id, from the file name
    PRIMARY KEY (assignment, student_id)
)
"""
COLUMNS = ("student_id", "file", "sha256", "assignment", "status", "status_message", "score",
           "max_score", "seconds", "graded_at", "result_json", "late", "canvas_user")


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._upgrade()
        self.db.execute(SCHEMA)
        self.db.commit()

    def _upgrade(self) -> None:
        """Gradebooks written before rows were keyed by assignment: keep every row."""
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(results)")]
        if not columns or "late" in columns:
            return
        self.db.execute("ALTER TABLE results RENAME TO results_before_upgrade")
        self.db.execute(SCHEMA)
        old = ", ".join(columns)
        self.db.execute(f"INSERT INTO results ({old}) SELECT {old} FROM results_before_upgrade")
        self.db.execute("DROP TABLE results_before_upgrade")

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
            f"INSERT OR REPLACE INTO results ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(COLUMNS))})",
            (row["student_id"], row["file"], row["sha256"], result["assignment"],
             row["status"], row["status_message"], result["score"], result["max_score"],
             row["seconds"], time.time(), json.dumps(result), int(bool(row.get("late"))),
             row.get("canvas_user", "")))
        self.db.commit()

    def rows(self, assignment: str) -> list[dict]:
        cursor = self.db.execute(
            "SELECT student_id, file, status, status_message, seconds, result_json, late, "
            "canvas_user FROM results WHERE assignment = ? ORDER BY student_id", (assignment,))
        return [{"student_id": sid, "file": file, "status": status,
                 "status_message": message, "seconds": seconds, "result": json.loads(blob),
                 "late": bool(late), "canvas_user": canvas_user}
                for sid, file, status, message, seconds, blob, late, canvas_user
                in cursor.fetchall()]
