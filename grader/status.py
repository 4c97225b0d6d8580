"""Every status word the grader writes, as one enum.

A ``StrEnum`` so that the words stay exactly what the result JSON, the
gradebook, ``grades.csv`` and the exports have always held (``"passed"``,
``"not_implemented"``...): members compare equal to those strings and
serialize as them, while a typo in code is an ``AttributeError`` instead of a
status that matches nothing.

The sets below say which words belong to which level, so a renderer can ask
"is this a failure?" without spelling the words again.
"""
from enum import StrEnum


class Status(StrEnum):
    # how one check ended
    PASSED = "passed"
    FAILED = "failed"
    NOT_IMPLEMENTED = "not_implemented"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    SKIPPED = "skipped"
    ERROR = "error"            # the grader failed on it: not counted (also a row: grader error)
    WITHHELD = "withheld"      # it held, but a check it `requires` did not pass
    NOT_GRADED = "not_graded"  # the submission could not be graded at all
    # a component, from its checks
    FULL = "full"
    PARTIAL = "partial"
    ZERO = "zero"
    BANNED = "banned"          # a banned call was observed: the component scores 0
    # a batch row (one student's file)
    GRADED = "graded"
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"


CHECK_STATUSES = frozenset({Status.PASSED, Status.FAILED, Status.NOT_IMPLEMENTED, Status.TIMEOUT,
                            Status.CRASHED, Status.SKIPPED, Status.ERROR, Status.WITHHELD,
                            Status.NOT_GRADED})
COMPONENT_STATUSES = frozenset({Status.FULL, Status.PARTIAL, Status.ZERO, Status.NOT_IMPLEMENTED,
                                Status.BANNED, Status.NOT_GRADED})
ROW_STATUSES = frozenset({Status.GRADED, Status.UNREADABLE, Status.UNSUPPORTED, Status.ERROR})
# a component scored 0 whatever its checks earned
ZEROED_COMPONENT = frozenset({Status.BANNED, Status.NOT_IMPLEMENTED})
# the check could not judge the code (JUnit <error>)
COULD_NOT_JUDGE = frozenset({Status.TIMEOUT, Status.CRASHED, Status.ERROR})
