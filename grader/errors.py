"""One exception tree, split by who is at fault.

``GraderError`` and its children are problems of the harness's users
(a bad path, a broken rubric) or of the harness itself.  The ``StudentOutcome``
family describes what a student's code did inside its sandbox; the
non-``Exception`` ones end a check at once, so hypothesis does not try to
shrink a hang or a crash (each retry would cost a full timeout).
"""
from grader.status import Status


class GraderError(Exception):
    """Base of every error the harness reports to its user."""


class UsageError(GraderError):
    """The command line or a path given by the user is wrong."""


class ConfigError(GraderError):
    """An assignment's rubric or checks are inconsistent (the instructor's fix)."""


class HarnessError(GraderError):
    """A bug in the harness itself, or a worker that broke the protocol."""


class CheckFailure(AssertionError):
    """A check found the student's result wrong; the message is for the student."""


class StudentError(Exception):
    """The student's code raised an exception.

    An ``Exception`` on purpose: hypothesis shrinks it to the smallest input
    that makes the student's code raise.
    """

    def __init__(self, exc_type: str, message: str, where: str = ""):
        self.exc_type = exc_type
        self.message = message
        self.where = where
        text = f"{exc_type}: {message}" if message else exc_type
        super().__init__(f"{text}{f' ({where})' if where else ''}")


class StudentOutcome(BaseException):
    """Ends a check immediately: not implemented, timed out, crashed."""

    status = Status.FAILED


class NotImplementedYet(StudentOutcome):
    status = Status.NOT_IMPLEMENTED


class StudentTimeout(StudentOutcome):
    status = Status.TIMEOUT


class WorkerCrashed(StudentOutcome):
    status = Status.CRASHED
