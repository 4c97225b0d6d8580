"""Turn how a check ended (an exception, or none) into a student-facing outcome.

No traceback of the harness ever reaches the student: messages come from our
own ``CheckFailure`` texts, the student's exception type/message/line, and
hypothesis' shrunk falsifying example.
"""
import re
from dataclasses import dataclass

from hypothesis.errors import Flaky

from grader import config
from grader.errors import CheckFailure, StudentError, StudentOutcome
from grader.status import Status

try:  # pytest's skip exception, without importing pytest internals by name
    from _pytest.outcomes import Skipped
except ImportError:  # pragma: no cover
    Skipped = ()


@dataclass
class Outcome:
    status: str          # passed, failed, not_implemented, timeout, crashed, skipped, error
    message: str = ""
    example: str = ""    # the smallest failing input, as hypothesis printed it
    example_is_smallest: bool = True   # False: the first failing input found (not shrunk)
    seconds: float = 0.0
    detail: str = ""     # for the instructor only: what went wrong inside the grader

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED


def outcome_from(exc: BaseException | None) -> Outcome:
    if exc is None:
        return Outcome(Status.PASSED)
    if isinstance(exc, Skipped):
        return Outcome(Status.SKIPPED, str(exc.msg if hasattr(exc, "msg") else exc))
    example = falsifying_example(exc)
    if isinstance(exc, StudentOutcome):
        return Outcome(exc.status, str(exc))
    if isinstance(exc, StudentError):
        return Outcome(Status.FAILED, f"your code raised {exc}", example)
    if isinstance(exc, Flaky):
        return Outcome(Status.FAILED, "your code gave different results for the same input and "
                       "random seed (does it depend on global state or unseeded randomness?)")
    if isinstance(exc, (CheckFailure, AssertionError)):
        return Outcome(Status.FAILED, str(exc).split("\nassert ")[0].strip(), example)
    return Outcome(Status.ERROR, GRADER_FAILED, detail=scrub(f"{type(exc).__name__}: {exc}"))


GRADER_FAILED = ("the grader itself failed while running this check (not a problem with your "
                 "code); it is not counted in your score and the course staff are told")


def scrub(text: str, limit: int = config.MESSAGE_CHARS) -> str:
    """``text`` without file paths or traceback lines, cut to ``limit`` characters.

    Grader failures are reported to instructors; even their copy must not
    carry the grading machine's paths into a gradebook that may be exported.
    """
    lines = [line for line in text.splitlines()
             if not line.lstrip().startswith(("File \"", "Traceback (most recent"))]
    flat = " ".join(line.strip() for line in lines if line.strip())
    flat = re.sub(r"(?:[A-Za-z]:)?(?:/[^/\s:'\"]+)+/([^/\s:'\"]+)", r"\1", flat)
    return flat[:limit]


def falsifying_example(exc: BaseException) -> str:
    """Hypothesis' shrunk example from the exception notes, without fixture noise."""
    for note in getattr(exc, "__notes__", []):
        if note.startswith(("Falsifying example", "Failing explicit example",
                            "Failing test case")):
            lines = [re.sub(r"\s+#.*$", "", line).strip() for line in note.splitlines()[1:-1]]
            kept = [line for line in lines if line and not line.startswith(("student=", "#"))]
            text = re.sub(r"\s+", " ", " ".join(kept)).strip().rstrip(",")
            return re.sub(r"([(\[]) ", r"\1", re.sub(r" ([)\]])", r"\1", text))
    return ""
