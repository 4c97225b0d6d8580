"""Grade a folder (or zip) of submissions: isolated, parallel, resumable.

Several *scorer* processes (one per core by default; see :mod:`grader.instructor.scorers`:
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

from grader import config
from grader.errors import UsageError
from grader.instructor import policy, submissions
from grader.instructor.gradebook import Gradebook
from grader.instructor.job import failed_row, hidden_folders, not_graded_json
from grader.rubric import load_rubric
from grader.status import Status


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
    scheduler: str | None = None  # a Dask scheduler address or local:N (grader.instructor.cluster)
    recycle_after: int = config.SUBMISSIONS_PER_SCORER  # then a fresh scorer: flat memory
    stall_after: float | None = None  # a scorer silent this long is replaced (None: default)
    policy: Path | None = None    # the course's late policy (grader.instructor.policy); None: course.toml
    canvas_gradebook: Path | None = None  # a Canvas gradebook export to fill (exports.canvas)
    canvas_column: str | None = None      # its column for this assignment (default: found)


@dataclass
class BatchSummary:
    total: int
    skipped: int
    graded: int = 0
    unreadable: int = 0
    unsupported: int = 0
    errors: int = 0
    seconds: float = 0.0
    outputs: dict = field(default_factory=dict)
    isolation: list = field(default_factory=list)   # protections the OS did not allow
    notes: list = field(default_factory=list)        # for the instructor, after the summary
    log: "BatchLog | None" = None


def run_batch(options: BatchOptions, console: Console | None = None) -> BatchSummary:
    console = console or Console()
    # A broken rubric stops us before any work.  Locally the scorer host, which imports
    # torch anyway, looks the banned names up and refuses a bad one before the first
    # submission; here that would cost a second import of torch (~2 CPU-seconds).
    rubric = load_rubric(options.assignment, resolve_bans=bool(options.scheduler))
    late_policy = policy.load(options.policy)  # so does a broken policy file
    with _runner(options, console) as run:   # starts now: scorers import while we discover
        return _run(options, console, rubric, late_policy, run)


def _run(options: BatchOptions, console: Console, rubric, late_policy, run) -> BatchSummary:
    from grader.instructor import exports  # matplotlib: not imported by scorers, which import this module
    options.out.mkdir(parents=True, exist_ok=True)
    found = submissions.discover(options.source, options.out, options.id_pattern,
                                 options.assignment)
    staging = options.out / submissions.STAGING / options.assignment
    book = Gradebook(options.out / "gradebook.sqlite")
    log = BatchLog(options.out / "batch.log")
    try:
        found = submissions.stage(found, staging)
        todo = _to_grade(found, book.graded(options.assignment), options)
        summary = BatchSummary(total=len(found), skipped=len(found) - len(todo), log=log)
        log.write(f"batch {options.assignment}: {len(found)} students in {options.source}, "
                  f"{len(todo)} to grade; {late_policy.describe()}")
        started = time.perf_counter()
        for submission in (s for s in todo if s.unsupported):
            _record(book, summary, submission, failed_row(Status.UNSUPPORTED, submission.unsupported),
                    options)
        _grade_all([s for s in todo if not s.unsupported], options, book, summary, console, run)
        summary.seconds = time.perf_counter() - started
        rows = [apply_policy(row, late_policy) for row in book.rows(options.assignment)]
        summary.isolation = sorted({note for row in rows
                                    for note in row["result"].get("isolation", [])})
        summary.outputs = exports.write_all(options.out, options.assignment, rubric.title, rows)
        if options.canvas_gradebook:
            from grader.instructor.exports import canvas
            written, unmatched = canvas.fill_gradebook(options.canvas_gradebook, options.out,
                                                       options.assignment, rubric.title, rows,
                                                       options.canvas_column)
            summary.outputs[written.name] = written
            summary.notes += unmatched
        log.write(f"done in {summary.seconds:.1f} s: {summary.graded} graded, "
                  f"{summary.unreadable} unreadable, {summary.unsupported} unsupported, "
                  f"{summary.errors} grader errors, {summary.skipped} already graded")
    except KeyboardInterrupt:
        log.write("interrupted (Ctrl-C): what was graded is kept; run the same command to resume")
        raise
    finally:
        book.close()
        log.close()
        submissions.clear_staging(staging)
    return summary


def apply_policy(row: dict, late_policy) -> dict:
    """The row as exports show it: the late policy applied to its score.

    The gradebook keeps the score the checks gave; the policy is applied
    whenever exports are written, so changing the policy and running the
    batch again re-exports every student without grading anyone again.
    """
    result = row["result"]
    final, why = late_policy.apply(result["score"], result["max_score"], row.get("late", False))
    if not why:
        return row
    return {**row, "result": {**result, "score": final, "raw_score": result["score"],
                              "late_penalty": why}}


class BatchLog:
    """``OUT/batch.log``: what each run did, appended, one time-stamped line per event."""

    def __init__(self, path: Path):
        self.handle = open(path, "a", encoding="utf-8")

    def write(self, line: str) -> None:
        self.handle.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def _to_grade(found, done: dict, options: BatchOptions) -> list:
    unknown = options.regrade - {s.student_id for s in found}
    if unknown:
        raise UsageError(f"--regrade: no submission for {sorted(unknown)}")
    return [s for s in found if options.force or s.student_id in options.regrade
            or done.get(s.student_id) != s.sha256]


def _grade_all(todo, options, book, summary, console, run) -> None:
    columns = (TextColumn("[b]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("failed: {task.fields[failed]}"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not options.progress) as progress:
        task = progress.add_task(f"grading {options.assignment}", total=len(todo), failed=0)
        run(todo, options, book, summary,
            lambda failed: progress.update(task, advance=1, failed=failed))


def _runner(options, console):
    """What grades a list of submissions: the local scorers, or a Dask cluster."""
    if options.scheduler:
        from grader.instructor import cluster
        return cluster.session(options.scheduler, _record, console)
    return _local_scorers(options, console)


@contextlib.contextmanager
def _local_scorers(options, console):
    """The local scorer pool, its host started at once (see :meth:`ScorerPool.warm_up`)."""
    from grader import spawner   # one fork server for every worker of the batch
    from grader.instructor import scorers
    jobs = options.jobs or len(os.sched_getaffinity(0))
    with scorers.ScorerPool(jobs, options.assignment, spawner.start(), options.recycle_after,
                            options.stall_after) as pool:
        pool.warm_up()
        yield lambda todo, *rest: _run_local(pool, todo, *rest, console=console)


def _run_local(pool, todo, options, book, summary, advance, console) -> None:
    """Grade ``todo`` with the local scorers (:mod:`grader.instructor.scorers`)."""
    if not todo:   # the host still looks the rubric's bans up: a bad name is refused
        pool.confirm_rubric()
        return
    hide = hidden_folders(options.source, options.out)

    def done(submission, row):
        _record(book, summary, submission, row, options)
        advance(summary.unreadable + summary.errors)

    def note(message):
        summary.log.write(message)
        console.print(f"[yellow]{escape(message)}[/yellow]", highlight=False)

    pool.jobs, pool.note = min(pool.jobs, len(todo)), note
    pool.grade(todo, lambda s: (str(s.path), options.assignment, options.full, hide),
               done, label=lambda s: s.student_id)
    pool.close()   # the scorers' memory back before the exports are written


def _record(book, summary, submission, row: dict, options) -> None:
    notes = [*submission.notes, row["status_message"]]
    row = {**row, "student_id": submission.student_id, "file": submission.name,
           "sha256": submission.sha256, "late": submission.late,
           "canvas_user": submission.canvas_user,
           "status_message": "; ".join(note for note in notes if note)}
    if row["result"] is None:
        row["result"] = not_graded_json(options.assignment, row["status_message"])
    book.record(row)
    counter = {Status.GRADED: "graded", Status.UNREADABLE: "unreadable",
               Status.UNSUPPORTED: "unsupported"}.get(row["status"], "errors")
    setattr(summary, counter, getattr(summary, counter) + 1)
    if summary.log:
        summary.log.write(f"{submission.student_id}: {row['status']} "
                          f"{row['result']['score']:g}/{row['result']['max_score']:g} "
                          f"in {row.get('seconds', 0):.1f} s ({submission.name})"
                          + (f": {row['status_message']}" if row["status_message"] else ""))
