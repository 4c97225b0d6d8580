"""A grader bug, reported as one line: the traceback goes to a log file.

Used by every entry point (:mod:`grader.cli` for all commands, ``grader.check()``
in a notebook), so a student never sees the grader's traceback and an
instructor always has it.
"""
import os
import tempfile
import time
import traceback
from pathlib import Path

from grader import config



def one_line(exc: BaseException) -> str:
    """An exception's message on one short line (the log has the rest)."""
    limit = config.NOTE_CHARS
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "..."


def write_log(folder: Path, heading: str) -> Path | str:
    """The current exception's traceback in ``folder/grader-error-*.log`` (else in the
    temporary folder); its path, or why no log could be written."""
    name = f"grader-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    text = f"{heading}\n\n{traceback.format_exc()}"
    problem = "no log written"
    for where in dict.fromkeys([Path(folder), Path(tempfile.gettempdir())]):
        try:
            (where / name).write_text(text)
            return where / name
        except OSError as exc:
            problem = f"no log: {where} is not writable ({exc.strerror})"
    return problem
