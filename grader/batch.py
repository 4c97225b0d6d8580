"""Grade a folder (or zip) of submissions: isolated, parallel, resumable.

Several *scorer* processes (one per core by default; see :mod:`grader.scorers`:
recycled after a count, replaced when stuck) each grade one submission at a
time; every submission's code runs in its own worker process forked from the
batch's one fork server (see :mod:`grader.spawner`), under the same limits as
``make test``.  Each result is written to the SQLite gradebook
as soon as it is known, so a killed batch started again grades only what is
missing.  Exports are rebuilt from the gradebook at the end.
"""
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from grader import config, submissions
from grader.errors import UsageError
from grader.gradebook import Gradebook
from grader.job import hidden_folders, not_graded_json
from grader.rubric import load_rubric


@dataclass
class BatchOptions:
    source: Path
    assignment: str
    out: Path
    jobs: int = 0                 # 0: one scorer per available core
    full: bool = False            # run whole notebooks, not only the definitions
    regrade: set = field(default_factory=set)
    force: bool = False
    id_pattern: str | None = None
    progress: bool = True
    scheduler: str | None = None  # a Dask scheduler address or local:N (grader.cluster)
    recycle_after: int = config.SUBMISSIONS_PER_SCORER  # then a fresh scorer: flat memory
    stall_after: float | None = None  # a scorer silent this long is replaced (None: default)


@dataclass
class BatchSummary:
    total: int
    skipped: int
    graded: int = 0
    unreadable: int = 0
    errors: int = 0
    seconds: float = 0.0
    outputs: dict = field(default_factory=dict)
    isolation: list = field(default_factory=list)   # protections the OS did not allow


def run_batch(options: BatchOptions, console: Console | None = None) -> BatchSummary:
    from grader import exports  # matplotlib: not imported by scorers, which import this module
    console = console or Console()
    rubric = load_rubric(options.assignment)  # a broken rubric stops us before any work
    options.out.mkdir(parents=True, exist_ok=True)
    found = submissions.discover(options.source, options.out, options.id_pattern)
    book = Gradebook(options.out / "gradebook.sqlite")
    try:
        todo = _to_grade(found, book.graded(options.assignment), options)
        summary = BatchSummary(total=len(found), skipped=len(found) - len(todo))
        started = time.perf_counter()
        _grade_all(todo, options, book, summary, console)
        summary.seconds = time.perf_counter() - started
        rows = book.rows(options.assignment)
        summary.isolation = sorted({note for row in rows
                                    for note in row["result"].get("isolation", [])})
        summary.outputs = exports.write_all(options.out, options.assignment, rubric.title, rows)
    finally:
        book.close()
    return summary


def _to_grade(found, done: dict, options: BatchOptions) -> list:
    unknown = options.regrade - {s.student_id for s in found}
    if unknown:
        raise UsageError(f"--regrade: no submission for {sorted(unknown)}")
    return [s for s in found if options.force or s.student_id in options.regrade
            or done.get(s.student_id) != s.sha256]


def _grade_all(todo, options, book, summary, console) -> None:
    columns = (TextColumn("[b]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("failed: {task.fields[failed]}"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with _runner(options, console) as run, \
            Progress(*columns, console=console, disable=not options.progress) as progress:
        task = progress.add_task(f"grading {options.assignment}", total=len(todo), failed=0)
        run(todo, options, book, summary,
            lambda failed: progress.update(task, advance=1, failed=failed))


def _runner(options, console):
    """What grades a list of submissions: the local scorers, or a Dask cluster."""
    if options.scheduler:
        from grader import cluster
        return cluster.session(options.scheduler, _record, console)
    jobs = options.jobs or len(os.sched_getaffinity(0))
    return contextlib.nullcontext(
        lambda todo, *rest: _run_local(todo, jobs, *rest, console=console))


def _run_local(todo, jobs, options, book, summary, advance, console) -> None:
    """Grade ``todo`` with ``jobs`` local scorers (:mod:`grader.scorers`)."""
    if not todo:
        return
    from grader import scorers, spawner   # one fork server for every worker of the batch
    hide = hidden_folders(options.source, options.out)

    def done(submission, row):
        _record(book, summary, submission, row, options)
        advance(summary.unreadable + summary.errors)

    def note(message):
        console.print(f"[yellow]{escape(message)}[/yellow]", highlight=False)

    pool = scorers.ScorerPool(min(jobs, len(todo)), options.assignment, spawner.start(),
                              options.recycle_after, options.stall_after, note)
    with pool:
        pool.grade(todo, lambda s: (str(s.path), options.assignment, options.full, hide),
                   done, label=lambda s: s.student_id)


def _record(book, summary, submission, row: dict, options) -> None:
    row = {**row, "student_id": submission.student_id, "file": submission.path.name,
           "sha256": submission.sha256}
    if row["result"] is None:
        row["result"] = not_graded_json(options.assignment, row["status_message"])
    book.record(row)
    if row["status"] == "graded":
        summary.graded += 1
    elif row["status"] == "unreadable":
        summary.unreadable += 1
    else:
        summary.errors += 1
