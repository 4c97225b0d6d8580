"""Grade a batch on a Dask cluster: ``grader batch ... --scheduler tcp://HOST:8786``.

The client (the ``grader batch`` process) reads each submission and ships its
bytes with the task, so workers on other machines need no shared disk; the
worker side (:mod:`grader.instructor.remote`) writes the file into a fresh folder, grades
it with :func:`grader.instructor.job.grade_file` (the same isolation as the local mode:
student code runs in a jailed process forked from the worker's own fork
server) and deletes the folder.  Rows are recorded on the client as futures
complete, so a task that Dask runs again after losing a worker is recorded
once; a task that Dask gives up on is tried again, then recorded as a grader
error.

Nothing waits forever.  On each worker a submission is graded by a scorer
process that is killed when silent too long (:mod:`grader.instructor.scorers`, as in a
local batch).  Here, a task that a worker has been processing for longer than
that allows (the worker itself is stuck, frozen or lost to the network) is
recorded as a grader error naming the worker, and that worker is restarted.

Workers run one task at a time (pytest, which runs the checks, is not
thread-safe); ``local:N`` starts a LocalCluster of N such workers on this
machine.  Dask's default daemonic worker processes are fine: the fork server
that ``grade()`` starts is a plain subprocess, not a multiprocessing child.

GPU routing: assignments with ``parity`` checks go to workers advertising a
``GPU`` resource when the cluster has any (``dask worker --resources GPU=1``);
otherwise anywhere, with a note, and their parity checks report skipped.
"""
import contextlib
import logging
import time
import uuid
from collections import deque
from pathlib import Path

from rich.markup import escape

from grader import config
from grader.errors import UsageError
from grader.instructor import scorers
from grader.instructor.job import failed_row, grade_file, hidden_folders
from grader.instructor.remote import check_here, fingerprint, grade_shipped, importable
from grader.rubric import load_rubric
from grader.status import Status

# The limits are config's (DASK_*); named here too, for the tests to shorten them.
CONNECT_TIMEOUT_S = config.DASK_CONNECT_TIMEOUT_S
WORKERS_TIMEOUT_S = config.DASK_WORKERS_TIMEOUT_S
GPU_WAIT_S = config.DASK_GPU_WAIT_S
SUBMIT_AHEAD = config.DASK_SUBMIT_AHEAD
POLL_S = config.DASK_POLL_S
TASK_ATTEMPTS = config.DASK_TASK_ATTEMPTS
WORKER_STALL_MARGIN_S = config.DASK_WORKER_STALL_MARGIN_S


@contextlib.contextmanager
def connect(address: str):
    """A ``distributed.Client`` for ``address`` (``tcp://HOST:PORT`` or ``local:N``)."""
    from distributed import Client, LocalCluster
    if address.startswith("local:"):
        workers = _local_workers(address)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            check_workers(client)
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"--scheduler {address}: no Dask scheduler answered there "
                         f"({exc}); give tcp://HOST:8786 of a running `dask scheduler`, "
                         "or local:N") from None
    with client:
        check_workers(client)
        yield client


@contextlib.contextmanager
def session(address: str, record, console):
    """For :mod:`grader.instructor.batch`: ``run(todo, options, book, summary, advance)`` grading on
    the cluster, connected on first use (a batch with nothing to grade needs none)."""
    notes: set[str] = set()
    with contextlib.ExitStack() as stack:
        clients = []

        def note(message):
            if message not in notes:  # once per run
                notes.add(message)
                console.print(f"[yellow]dask: {escape(message)}[/yellow]", highlight=False)

        def run(todo, options, book, summary, advance):
            if not todo:
                return []
            if not clients:
                clients.append(stack.enter_context(connect(address)))

            def done(submission, row):
                record(book, summary, submission, row, options)
                advance(summary.unreadable + summary.errors)
            for _ in range(TASK_ATTEMPTS):
                todo = grade(clients[0], todo, options, done, note)
                if not todo:
                    return
            for submission in todo:   # Dask kept losing the workers that ran these
                done(submission, failed_row(Status.ERROR, "the grader crashed repeatedly on this "
                                                     "submission (Dask lost its workers)"))
        yield run


def _local_workers(address: str) -> int:
    count = address.removeprefix("local:")
    if not count.isdigit() or int(count) < 1:
        raise UsageError(f"--scheduler expects local:N with N >= 1 workers, not {address!r}")
    return int(count)


def check_workers(client) -> None:
    """Refuse a cluster that cannot grade, or would not grade as this machine does."""
    try:  # the scheduler unpickles the tasks: it must import grader too
        client.run_on_scheduler(importable)
    except Exception as exc:  # noqa: BLE001 - whatever a remote import raised
        raise UsageError(f"the Dask scheduler cannot import the grader ({type(exc).__name__}: "
                         f"{exc}); start it from this repository's root with its .venv and "
                         "PYTHONPATH set to it") from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        raise UsageError(f"no Dask worker joined the scheduler within {WORKERS_TIMEOUT_S} s; "
                         "start some with `dask worker SCHEDULER --nthreads 1`") from None
    try:
        client.run(check_here, fingerprint())
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a remote import raised
        raise UsageError(f"a Dask worker cannot run the grader ({type(exc).__name__}: {exc}); "
                         "start workers from this repository's root with its .venv and "
                         "PYTHONPATH set to it") from None


def grade(client, todo: list, options, done, note=print) -> list:
    """Grade ``todo`` on the cluster, calling ``done(submission, row)`` here once per
    submission; return the submissions whose tasks Dask gave up on (lost workers)."""
    from distributed import wait
    resources = _resources(client, options.assignment, note)
    hide = hidden_folders(options.source, options.out)
    expected = fingerprint()
    queue, running, failed = deque(todo), {}, []
    watch = _Watchdog(client, options)
    last_result = time.monotonic()
    while queue or running:
        ahead = SUBMIT_AHEAD * max(1, _threads(client, resources))
        while queue and len(running) < ahead:
            submission = queue.popleft()
            if Path(submission.path).stat().st_size > config.MAX_SUBMISSION_BYTES:
                # refused while reading: do that here, ship nothing
                done(submission, grade_file(str(submission.path), options.assignment,
                                            options.full, hide))
                continue
            running[_submit(client, submission, options, hide, expected, resources)] = submission
        try:
            finished = wait(list(running), timeout=POLL_S, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            finished = set()
        if finished:
            last_result = time.monotonic()
        for future in finished:
            _finish(future, running.pop(future), done, failed, note)
        for future in watch.stuck(running):
            _give_up(client, future, running.pop(future), watch, done, note)
        if (time.monotonic() - last_result >= GPU_WAIT_S and resources
                and not gpu_workers(client)):
            note("the GPU workers left the cluster: the rest runs on any worker "
                 "(GPU parity checks are skipped)")
            resources = None
            client.cancel(list(running))
            queue.extendleft(reversed(list(running.values())))
            running.clear()
    return failed


def _finish(future, submission, done, failed, note) -> None:
    if future.status == "finished":
        done(submission, future.result())
    else:
        error = future.exception() if future.status == "error" else future.status
        if isinstance(error, UsageError):  # a worker that cannot grade
            raise error
        # KilledWorker: Dask gave up after losing several workers on this task
        note(f"{submission.student_id}: {type(error).__name__}: {error}"[:config.NOTE_CHARS])
        failed.append(submission)
    future.release()


def _give_up(client, future, submission, watch, done, note) -> None:
    worker = watch.worker_of(future)
    message = (f"no result for {submission.student_id} after {watch.limit:.0f} s on Dask "
               f"worker {worker}: the worker is stuck; it is restarted and the rest goes "
               f"on; grade it again with --regrade {submission.student_id}")
    note(message)
    client.cancel([future])
    done(submission, failed_row(Status.ERROR, f"grader error: {message}"))
    with contextlib.suppress(Exception):   # no nanny, or already gone: Dask copes
        client.restart_workers([worker], timeout=30, raise_for_error=False)


class _Watchdog:
    """Notices tasks that a worker has been processing for too long.

    The client cannot see when a task starts, so it asks the scheduler what
    each worker is processing and dates each task from the first time it is
    seen there.
    """

    def __init__(self, client, options):
        self.client = client
        stall = options.stall_after or scorers.default_stall_after()
        self.limit = stall + WORKER_STALL_MARGIN_S
        self.seen: dict[str, tuple[float, str]] = {}   # task key -> (first seen, worker)

    def stuck(self, running: dict) -> list:
        if not running:
            return []
        now = time.monotonic()
        with contextlib.suppress(Exception):   # the scheduler may be busy: look next time
            for worker, keys in self.client.processing().items():
                for key in keys:
                    if key not in self.seen or self.seen[key][1] != worker:
                        self.seen[key] = (now, worker)
        return [future for future in running
                if future.key in self.seen and now - self.seen[future.key][0] >= self.limit]

    def worker_of(self, future) -> str:
        return self.seen.pop(future.key, (0, "?"))[1]


def _submit(client, submission, options, hide, expected, resources):
    path = Path(submission.path)
    key = f"grade-{options.assignment}-{submission.student_id}-{uuid.uuid4().hex[:8]}"
    return client.submit(grade_shipped, path.name, path.read_bytes(), options.assignment,
                         options.full, hide, expected, options.recycle_after,
                         options.stall_after, key=key, resources=resources)


# --- GPU routing ---------------------------------------------------------------

def needs_gpu(assignment: str) -> bool:
    return any(check.kind == "parity" for component in load_rubric(assignment).components
               for check in component.checks)


def route(needs: bool, gpu_worker_count: int) -> tuple[dict | None, str | None]:
    """Dask resources for an assignment's tasks, and a note for the run's output."""
    if not needs:
        return None, None
    if gpu_worker_count:
        return {"GPU": 1}, None
    return None, ("no Dask worker advertises a GPU (dask worker --resources GPU=1): "
                  "submissions run on any worker and GPU parity checks are skipped")


def gpu_workers(client) -> list[str]:
    workers = client.scheduler_info(n_workers=-1)["workers"]
    return [address for address, info in workers.items()
            if (info.get("resources") or {}).get("GPU", 0) >= 1]


def _resources(client, assignment, note) -> dict | None:
    resources, message = route(needs_gpu(assignment), len(gpu_workers(client)))
    if message:
        note(message)
    return resources


def _threads(client, resources) -> int:
    """Worker threads that can take this batch's tasks."""
    eligible = set(gpu_workers(client)) if resources else None
    return sum(n for address, n in client.nthreads().items()
               if eligible is None or address in eligible)
