"""Run an assignment's checks with pytest, collected once per process.

Configuring pytest and collecting the checks costs about 20 ms, as much as
a third of the checks themselves once their cases are replayed; a batch
scorer grades hundreds of submissions against the same checks.  So each
process configures one pytest session per assignment, collects it once and
then runs its items for every submission, the way pytest-xdist's workers
drive pytest (``_prepareconfig`` and ``_do_configure`` are pytest
internals, stable across the pinned version).

Every run ends by tearing down all fixtures, session-scoped ones included,
so nothing of one submission (the ``student`` fixture) reaches the next.
"""
from _pytest.config import _prepareconfig

import pytest

from grader import config
from grader.errors import HarnessError
from grader.plugin import GradingPlugin

# pytest plugins the checks do without; each costs time in every run.
UNUSED_PYTEST_PLUGINS = (
    "cacheprovider", "xdist", "terminal", "doctest", "junitxml", "pastebin", "stepwise",
    "setuponly", "setupplan", "tmpdir", "monkeypatch", "recwarn", "unittest", "legacypath",
    "platformdirs",
    # these run gc.collect() twice per session (0.3 s)
    "unraisableexception", "threadexception", "faulthandler", "logging", "warnings",
    # with it, hypothesis formats each failure through pytest's traceback machinery
    # (source parsing, ~30 ms a failing check) for a report we drop
    "hypothesispytest",
)

_sessions: dict = {}   # rubric directory -> CheckSession


class CheckSession:
    """The collected checks of one assignment, ready to run against a student."""

    def __init__(self, rubric):
        self.plugin = GradingPlugin(rubric)
        args = [str(rubric.directory), "-c", str(config.CHECKS_DIR / "pytest.ini"),
                "--rootdir", str(config.CHECKS_DIR), "--assert=plain",
                # what checks and libraries print while a check runs (hypothesis's
                # warnings, say) is not for the student: sys-level capture drops it
                "--capture=sys"]
        for name in UNUSED_PYTEST_PLUGINS:
            args += ["-p", f"no:{name}"]
        pytest_config = _prepareconfig(args, plugins=[self.plugin])
        pytest_config._do_configure()
        self.session = pytest.Session.from_config(pytest_config)
        pytest_config.hook.pytest_sessionstart(session=self.session)
        self.session.perform_collect()
        if not self.session.items and not self.plugin.config_error:
            raise HarnessError(f"no checks found for {rubric.assignment} in {rubric.directory}")

    def run(self, student, only: set[str] | None = None) -> dict:
        """Run the checks (of the components in ``only``) on ``student``; their outcomes."""
        if self.plugin.config_error:
            raise self.plugin.config_error
        self.plugin.start(student)
        items = [item for item in self.session.items
                 if only is None or self.plugin.key(item)[0] in only]
        hook = self.session.config.hook
        try:
            for index, item in enumerate(items):
                nextitem = items[index + 1] if index + 1 < len(items) else None
                hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        except BaseException:
            self.session._setupstate.teardown_exact(None)  # the next run starts clean
            raise
        return self.plugin.outcomes


def for_rubric(rubric) -> CheckSession:
    """This process's session for ``rubric``'s assignment (created on first use)."""
    key = str(rubric.directory)
    if key not in _sessions:
        _sessions[key] = CheckSession(rubric)
    return _sessions[key]
