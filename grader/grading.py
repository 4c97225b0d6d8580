"""Grade one submission: load it, run the checks against it, score the outcomes."""
import time
from pathlib import Path

import torch

from grader import config, loader, sandbox, scoring, session, spawner, tamper
from grader.errors import ConfigError, StudentOutcome
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
    has_hidden = any(check.hidden for component in rubric.components
                     for check in component.checks if only is None or component.name in only)
    box = sandbox.Sandbox(chunks, rubric.bans(), hide=[folder.resolve(), *hide],
                          budget_s=rubric.budget_s,
                          hidden_share=config.HIDDEN_CHECKS_BUDGET_SHARE if has_hidden else 0.0)
    student = Student(box)
    checks = session.for_rubric(rubric)
    started = time.perf_counter()
    try:
        _start_worker(box)
        worker_ready = time.perf_counter()
        outcomes = checks.run(student, only)
    finally:
        box.close()
    timings = {"worker_start": worker_ready - started,
               "checks": time.perf_counter() - worker_ready}
    result = scoring.score(rubric, outcomes, student.banned_seen, only,
                           reading_problems + box.load_problems, box.output,
                           flags=tamper.scan(chunks) + student.flags,
                           tampered=student.tampered)
    if "total" in box.box_seconds:   # the worker's own sandbox steps
        timings["sandbox"] = float(box.box_seconds["total"])
    result.timings = {name: round(value, 4) for name, value in timings.items()}
    result.isolation = box.isolation
    return result


def _start_worker(box) -> None:
    """Fork and load the worker before the first check, so its time is its own.

    If loading hangs or crashes, each check meets the same outcome itself.
    """
    try:
        box.start()
    except StudentOutcome:
        pass
