"""Grade one submission: load it, run the checks against it, score the outcomes."""
import time
from pathlib import Path

import pytest
import torch

from grader import config, loader, sandbox, scoring, spawner, tamper
from grader.errors import ConfigError, HarnessError, StudentOutcome
from grader.plugin import GradingPlugin
from grader.rubric import load_rubric
from grader.student import Student


def grade(path: Path, assignment: str, only: set[str] | None = None, full: bool = False,
          hide=()):
    """Grade ``path`` for ``assignment``; returns a :class:`scoring.GradeResult`.

    ``full`` runs every statement of a notebook instead of only the definitions;
    ``hide`` lists folders the student code must not see (besides the
    submission's own folder and :data:`config.HIDDEN_PATHS`).
    """
    rubric = load_rubric(assignment)
    if only:
        unknown = only - {c.name for c in rubric.components}
        if unknown:
            raise ConfigError(f"unknown component(s) {sorted(unknown)} for {assignment}; "
                              f"known: {[c.name for c in rubric.components]}")
    chunks, reading_problems = loader.load_submission(path, assignment,
                                                      rubric.student_names(), full)
    # Our tensors are tiny: a second OpenMP thread only spins and steals the
    # core the worker needs.
    torch.set_num_threads(config.WORKER_THREADS)
    spawner.start()
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    box = sandbox.Sandbox(chunks, rubric.bans(), hide=[folder.resolve(), *hide])
    student = Student(box)
    plugin = GradingPlugin(rubric, student, only)
    started = time.perf_counter()
    try:
        _start_worker(box)
        worker_ready = time.perf_counter()
        _run_checks(rubric, plugin)
    finally:
        box.close()
    timings = {"worker_start": worker_ready - started,
               "checks": time.perf_counter() - worker_ready}
    if plugin.config_error:
        raise plugin.config_error
    result = scoring.score(rubric, plugin.outcomes, student.banned_seen, only,
                           reading_problems + box.load_problems, box.output,
                           tamper.scan(chunks))
    result.timings = {name: round(value, 4) for name, value in timings.items()}
    result.isolation = box.isolation_notes
    return result


def _start_worker(box) -> None:
    """Fork and load the worker before the first check, so its time is its own.

    If loading hangs or crashes, each check meets the same outcome itself.
    """
    try:
        box.start()
    except StudentOutcome:
        pass


# pytest plugins the checks do without; each costs time in every grading session.
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


def _run_checks(rubric, plugin) -> None:
    args = [str(rubric.directory), "-c", str(config.CHECKS_DIR / "pytest.ini"),
            "--rootdir", str(config.CHECKS_DIR), "--assert=plain"]
    for name in UNUSED_PYTEST_PLUGINS:
        args += ["-p", f"no:{name}"]
    code = pytest.main(args, plugins=[plugin])
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR,
                pytest.ExitCode.INTERRUPTED):
        raise HarnessError(f"the checks of {rubric.assignment} could not run (pytest exit {code})")
