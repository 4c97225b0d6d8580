"""Grade a folder (or zip) of submissions: isolated, parallel, resumable.

Several *scorer* processes (one per core by default) each grade one
submission at a time; every submission's code runs in its own worker process
forked from the batch's one fork server (see :mod:`grader.spawner`), under the
same limits as ``make test``.  Each result is written to the SQLite gradebook
as soon as it is known, so a killed batch started again grades only what is
missing.  Exports are rebuilt from the gradebook at the end.
"""
import contextlib
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from grader import submissions
from grader.errors import UsageError
from grader.gradebook import Gradebook
from grader.rubric import load_rubric

SUBMISSIONS_PER_SCORER = 200   # then a fresh scorer process: memory stays flat
POOL_RESTARTS = 3              # a scorer that dies takes its pool down; retry the rest


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
        remaining = list(todo)
        for _ in range(POOL_RESTARTS):
            remaining = run(remaining, options, book, summary,
                            lambda failed: progress.update(task, advance=1, failed=failed))
            if not remaining:
                return
        for submission in remaining:  # scorers kept dying on these: record, don't hang
            _record(book, summary, submission, _failed_row("error", "the grader crashed "
                                                           "repeatedly on this submission"),
                    options)


def _runner(options, console):
    """What grades a list of submissions: the local pool, or a Dask cluster."""
    if options.scheduler:
        from grader import cluster
        return cluster.session(options.scheduler, _record, console)
    jobs = options.jobs or len(os.sched_getaffinity(0))
    return contextlib.nullcontext(lambda todo, *rest: _run_pool(todo, jobs, *rest))


def _run_pool(todo, jobs, options, book, summary, advance) -> list:
    """Grade ``todo``; return what is left if the pool broke."""
    context = _scorer_context()
    left = {s.student_id: s for s in todo}
    from grader import spawner   # one fork server for every scorer of the batch
    pool = ProcessPoolExecutor(max_workers=min(jobs, max(1, len(todo))), mp_context=context,
                               max_tasks_per_child=SUBMISSIONS_PER_SCORER,
                               initializer=_scorer_init, initargs=(spawner.start(),))
    finished = False
    try:
        hide = hidden_folders(options)
        futures = {pool.submit(grade_file, str(s.path), options.assignment, options.full, hide): s
                   for s in todo}
        try:
            for future in as_completed(futures):
                submission = futures[future]
                _record(book, summary, submission, future.result(), options)
                del left[submission.student_id]
                advance(summary.unreadable + summary.errors)
            finished = True
        except BrokenProcessPool:
            pass
    finally:
        # Scorers exit within milliseconds (multiprocessing ends a forkserver child
        # with os._exit, skipping the interpreter's clean-up);
        # only then may their fork server go, or the pool would take them for dead
        # and never tell them to stop.
        pool.shutdown(wait=True, cancel_futures=True)
        if finished:
            _stop_scorer_fork_server()
    return list(left.values())


def _stop_scorer_fork_server() -> None:
    """End the scorers' fork server now: it holds nothing to save.

    Left alone, it exits with the batch after the interpreter's clean-up of
    torch (about 0.9 s), holding the batch's output pipes open meanwhile.
    """
    from multiprocessing import forkserver
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _scorer_context():
    """Scorers are forked from a multiprocessing fork server that has imported
    what they need (torch, pytest, hypothesis, the grader): one import for all
    of them instead of one each (about 1.7 s of CPU per scorer).

    Scorers are trusted; student workers come from :mod:`grader.spawner`.
    """
    context = get_context("forkserver")
    context.set_forkserver_preload(["grader.batch", "grader.grading", "grader.report"])
    return context


def hidden_folders(options: BatchOptions) -> list[str]:
    """Folders student code must not see besides the defaults: every submission, the outputs."""
    return [str(Path(options.source).resolve()), str(Path(options.out).resolve())]


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


# --- in the scorer processes ------------------------------------------------

def _scorer_init(fork_server: str):
    from grader import spawner
    spawner.use(fork_server)


def grade_file(path: str, assignment: str, full: bool, hide=()) -> dict:
    """Grade one file; never raises, so one submission cannot stop the batch."""
    from grader import report
    from grader.grading import grade
    started = time.perf_counter()
    try:
        result = grade(Path(path), assignment, full=full, hide=hide)
        row = {"status": "graded", "status_message": _reading_note(result),
               "result": report.to_json(result, student_view=False)}
    except UsageError as exc:
        row = _failed_row("unreadable", str(exc))
    except Exception as exc:  # noqa: BLE001 - a grader bug: recorded, the batch goes on
        row = _failed_row("error", f"grader error: {type(exc).__name__}: {exc}")
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def _failed_row(status: str, message: str) -> dict:
    return {"status": status, "status_message": message, "result": None, "seconds": 0.0}


def _reading_note(result) -> str:
    """What the gradebook's status column should say about a file that was graded."""
    return "; ".join(p["message"] for p in result.load_problems
                     if p["type"] in ("NotANotebook", "Empty"))


def not_graded_json(assignment: str, reason: str) -> dict:
    from grader import report, scoring
    return report.to_json(scoring.not_graded(load_rubric(assignment), reason), student_view=False)
