"""The pytest plugin that turns a run of the checks into per-check outcomes.

It maps each collected test to a rubric check (``test_<component>.py::
test_<check>``), refuses tests the rubric does not know (and rubric entries
without a test), gives each check its time budget in the sandbox, and records
how each check ended.
"""
import pytest

from grader import config, replay
from grader.errors import ConfigError
from grader.outcomes import Outcome, outcome_from
from grader.status import Status


class GradingPlugin:
    def __init__(self, rubric):
        self.rubric, self._student = rubric, None
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self.config_error: ConfigError | None = None
        self._shrunk: set[str] = set()          # components with a shrunk failure this run
        self._not_shrunk: set[tuple] = set()    # checks whose failing input is not shrunk

    def start(self, student) -> None:
        """Grade ``student`` next (the session's checks are already collected)."""
        self._student, self.outcomes = student, {}
        self._shrunk, self._not_shrunk = set(), set()

    # -- collection --
    def pytest_collection_modifyitems(self, session, config, items):
        keep, seen = [], set()
        for item in items:
            key = self.key(item)
            try:
                self.rubric.component(key[0])
            except KeyError:
                self.config_error = ConfigError(f"{item.nodeid}: no component {key[0]!r} in the rubric")
                continue
            if key[1] not in {c.name for c in self.rubric.component(key[0]).checks}:
                self.config_error = ConfigError(f"{item.nodeid}: check {key[1]!r} is not in the "
                                                f"rubric of {key[0]!r}; add it to rubric.toml")
                continue
            seen.add(key)
            keep.append(item)
        missing = [f"{c.name}.{k.name}" for c in self.rubric.components for k in c.checks
                   if (c.name, k.name) not in seen]
        if missing:
            self.config_error = ConfigError(f"rubric checks without a test: {', '.join(missing)}")
        # Hidden checks last, so what student code prints from then on can be held back
        # (Sandbox.begin_check); among them, those the rubric gives more than the usual
        # time (a training run) last of all, so a run that hangs spends only its own
        # time.  Otherwise file by file as collected, each component's hidden/ checks
        # after its public ones (pytest would run hidden/ first).
        keep.sort(key=lambda item: (self._hidden(item), self._long(item), item.path.name,
                                    item.path.parent.name == "hidden"))
        items[:] = keep

    def _spec(self, item):
        """The rubric's entry for ``item``'s check."""
        component, check = self.key(item)
        return self.rubric.component(component).check(check)

    def _hidden(self, item) -> bool:
        return self._spec(item).hidden

    def _long(self, item) -> bool:
        return self._spec(item).timeout > config.CHECK_TIMEOUT_S

    @staticmethod
    def key(item) -> tuple[str, str]:
        component = item.path.stem.removeprefix("test_")
        return component, item.originalname.removeprefix("test_")

    # -- running --
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        self._student.component = self.key(item)[0]
        self._student.notes = []
        spec = self._spec(item)
        self._student.sandbox.begin_check(spec.timeout, hidden=spec.hidden)
        try:
            return (yield)
        finally:
            self._student.sandbox.end_check()

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        """Hypothesis checks replay their recorded cases (see :mod:`grader.replay`)."""
        test = pyfuncitem.obj
        if not hasattr(test, "hypothesis"):
            return None
        fixtures = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        shrink = self._shrinks(pyfuncitem)
        try:
            replay.run_check(pyfuncitem.nodeid, test, fixtures, shrink=shrink)
        except Exception:
            if shrink:
                self._shrunk.add(self.key(pyfuncitem)[0])
            else:
                self._not_shrunk.add(self.key(pyfuncitem))
            raise
        return True

    def _shrinks(self, item) -> bool:
        """Whether a failure of ``item`` is shrunk to its smallest input.

        Only a component's first failing public check is: the next ones usually fail
        for the same bug, and shrinking each again was about a third of a failing
        submission's grading time.  Later ones show the first failing input found
        (and say so).  Pass or fail, and so every score, is the same either way.
        """
        if self._hidden(item) and not config.SHRINK_HIDDEN_CHECKS:
            return False
        return self.key(item)[0] not in self._shrunk

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the outcome and return a bare report.

        pytest's own report would format a traceback of the check for every
        failure (about 20 ms each); nobody sees it, students must not.
        """
        exc = call.excinfo.value if call.excinfo else None
        if call.when == "call" or (call.when == "setup" and exc is not None):
            outcome = outcome_from(exc)
            outcome.seconds = call.duration
            outcome.example_is_smallest = self.key(item) not in self._not_shrunk
            if outcome.passed and self._student.notes:
                outcome.message = "; ".join(self._student.notes)
            self.outcomes[self.key(item)] = outcome
        status = Status.PASSED if exc is None else Status.SKIPPED if call.excinfo.errisinstance(
            pytest.skip.Exception) else Status.FAILED
        cut = str(exc)[:config.PYTEST_REPORT_CHARS]
        longrepr = None if exc is None else (str(item.path), 0, cut) \
            if status == Status.SKIPPED else cut
        return pytest.TestReport(item.nodeid, item.location, {}, status, longrepr, call.when,
                                 duration=call.duration, start=call.start, stop=call.stop)

    # -- fixtures offered to the checks --
    @pytest.fixture(scope="session")
    def student(self):
        """The submission under test (see :class:`grader.student.Student`)."""
        return self._student
