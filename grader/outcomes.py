"""Turn how a check ended (an exception, or none) into a student-facing outcome.

No traceback of the harness ever reaches the student: messages come from our
own ``CheckFailure`` texts, the student's exception type/message/line, and
hypothesis' shrunk falsifying example.
"""
import re
from dataclasses import dataclass

from hypothesis.errors import Flaky

from grader.errors import CheckFailure, StudentError, StudentOutcome

try:  # pytest's skip exception, without importing pytest internals by name
    from _pytest.outcomes import Skipped
except ImportError:  # pragma: no cover
    Skipped = ()


@dataclass
class Outcome:
    status: str          # passed, failed, not_implemented, timeout, crashed, skipped, error
    message: str = ""
    example: str = ""    # the smallest failing input, as hypothesis printed it
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def outcome_from(exc: BaseException | None) -> Outcome:
    if exc is None:
        return Outcome("passed")
    if isinstance(exc, Skipped):
        return Outcome("skipped", str(exc.msg if hasattr(exc, "msg") else exc))
    example = falsifying_example(exc)
    if isinstance(exc, StudentOutcome):
        return Outcome(exc.status, str(exc))
    if isinstance(exc, StudentError):
        return Outcome("failed", f"your code raised {exc}", example)
    if isinstance(exc, Flaky):
        return Outcome("failed", "your code gave different results for the same input and "
                       "random seed (does it depend on global state or unseeded randomness?)")
    if isinstance(exc, (CheckFailure, AssertionError)):
        return Outcome("failed", str(exc).split("\nassert ")[0].strip(), example)
    return Outcome("error", f"internal error in this check ({type(exc).__name__}: {exc}); "
                   "this is a grader problem, not your fault: tell the course staff")


def falsifying_example(exc: BaseException) -> str:
    """Hypothesis' shrunk example from the exception notes, without fixture noise."""
    for note in getattr(exc, "__notes__", []):
        if note.startswith(("Falsifying example", "Failing test case")):
            lines = [re.sub(r"\s+#.*$", "", line).strip() for line in note.splitlines()[1:-1]]
            kept = [line for line in lines if line and not line.startswith(("student=", "#"))]
            text = re.sub(r"\s+", " ", " ".join(kept)).strip().rstrip(",")
            return re.sub(r"([(\[]) ", r"\1", re.sub(r" ([)\]])", r"\1", text))
    return ""
