"""Scorer processes for a batch: forked from a preloaded host, recycled, watched.

A *scorer* grades one submission at a time: it runs the checks (pytest,
hypothesis) and talks to the submission's sandboxed worker.  A batch keeps
``jobs`` of them busy.  They are ours rather than a ``ProcessPoolExecutor``'s
because that pool's ``max_tasks_per_child`` deadlocks once a scorer retires
while tasks are queued (CPython issue 115634, never fixed in 3.11): a batch of
more than jobs x 200 submissions stopped for good.  A pool also cannot give up
on one stuck task.  Here:

* a **host** process imports torch, pytest, hypothesis and the grader and
  collects the assignment's checks once, then forks a scorer per request: a
  scorer costs a fork, not two seconds of imports;
* a scorer grades at most ``recycle_after`` submissions, then exits and a
  fresh one takes its place, so memory stays flat however long the batch;
* a scorer that gives no result within ``stall_after`` seconds of being given
  a submission is killed and replaced; that submission is recorded as a
  grader error that says so, and the rest goes on.  Nothing waits forever;
* a scorer that dies gets its submission retried once by a fresh one; a
  second death records a grader error;
* channels are socket pairs handed over with ``SCM_RIGHTS``: no socket has a
  name in the file system, so nothing else on the machine can ask the host
  for a process;
* every level dies with its parent (``PR_SET_PDEATHSIG``): killing the batch,
  even with SIGKILL, ends the host and every scorer.

Everything here is trusted code; student code runs only in workers, which
come from :mod:`grader.spawner`.
"""
import contextlib
import ctypes
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections import Counter, deque
from multiprocessing.connection import Connection, wait
from pathlib import Path

from grader import config, spawner
from grader.errors import ConfigError, HarnessError
from grader.instructor.job import failed_row
from grader.status import Status

HOST_START_TIMEOUT_S = config.SCORER_HOST_START_TIMEOUT_S
DEATHS_PER_SUBMISSION = 2      # scorers that may die on one submission before it is an error
HOST_STARTS = 3                # hosts one pool may start (the first, then replacements)
_PID = struct.Struct("<q")
_PR_SET_PDEATHSIG = 1


class Scorer:
    """One scorer process, seen from the process that owns the pool."""

    def __init__(self, pid: int, conn: Connection):
        self.pid, self.conn = pid, conn
        self.graded = 0          # submissions it has finished
        self.job = None          # what it is grading now
        self.since = 0.0         # when it was given that

    def give(self, job, args: tuple) -> None:
        self.job, self.since = job, time.monotonic()
        self.conn.send(args)

    def retire(self) -> None:
        """Ask it to exit (it holds nothing to save) and forget it."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        self.conn.close()


class Host:
    """The preloaded process scorers are forked from."""

    def __init__(self, assignment: str | None, fork_server: str | None):
        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[2])   # the folder holding grader/
        code = (f"import sys; sys.path.insert(0, {root!r}); "
                "from grader.instructor.scorers import serve_host; "
                f"serve_host({theirs.fileno()}, {os.getpid()}, {assignment!r}, {fork_server!r})")
        self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=[theirs.fileno()],
                                        stdin=subprocess.DEVNULL)
        theirs.close()
        ours.settimeout(HOST_START_TIMEOUT_S)
        self.control = ours
        self.forked = False

    def fork(self) -> Scorer:
        mine, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"F"], [theirs.fileno()])
            pid = _PID.unpack(spawner.recv_exactly(self.control, _PID.size))[0]
            if pid == 0:   # it could not load the assignment: the instructor's to fix
                size = _PID.unpack(spawner.recv_exactly(self.control, _PID.size))[0]
                message = spawner.recv_exactly(self.control, min(size, 4096))
                raise ConfigError(message.decode("utf-8", "replace"))
            self.forked = True
        except OSError as exc:
            mine.close()
            raise HarnessError(f"the scorer host did not start a scorer: {exc}") from None
        except ConfigError:
            mine.close()
            raise
        finally:
            theirs.close()
        return Scorer(pid, Connection(mine.detach()))

    def close(self) -> None:
        """End the host, and with it (PR_SET_PDEATHSIG) every scorer it forked."""
        self.control.close()
        if not self.forked:   # still importing, maybe: nothing of it is needed
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ScorerPool:
    """``jobs`` scorers grading a queue of submissions; see the module docstring."""

    def __init__(self, jobs: int, assignment: str | None, fork_server: str | None = None,
                 recycle_after: int = config.SUBMISSIONS_PER_SCORER,
                 stall_after: float | None = None, note=print):
        if jobs < 1 or recycle_after < 1:
            raise ValueError("a scorer pool needs jobs >= 1 and recycle_after >= 1")
        self.jobs, self.assignment, self.fork_server = jobs, assignment, fork_server
        self.recycle_after = recycle_after
        self.stall_after = stall_after or default_stall_after()
        self.note = note
        self._host: Host | None = None
        self._hosts_started = 0
        self.scorers_started = 0   # forks so far: recycling and replacement show here
        self._idle: list[Scorer] = []

    def grade(self, todo, args_of, done, label=str) -> None:
        """Grade every item of ``todo``, calling ``done(item, row)`` once for each.

        ``args_of(item)`` gives :func:`grader.instructor.job.grade_file`'s arguments;
        ``label(item)`` names the item in messages.
        """
        queue, busy, deaths = deque(todo), [], Counter()
        try:
            while queue or busy:
                while queue and len(busy) < self.jobs:
                    self._start(queue.popleft(), queue, busy, deaths, args_of, done, label)
                if not busy:   # every start failed; what is left was put back or recorded
                    continue
                ready = wait([s.conn for s in busy], timeout=self._time_left(busy))
                for scorer in [s for s in busy if s.conn in ready]:
                    busy.remove(scorer)
                    self._collect(scorer, queue, deaths, done, label)
                for scorer in [s for s in busy if self._stalled(s)]:
                    busy.remove(scorer)
                    self._give_up(scorer, done, label)
        finally:
            for scorer in busy:
                scorer.kill()

    def confirm_rubric(self) -> None:
        """Raise the host's ConfigError, if any, without grading anything: the host
        loads the rubric in full (bans looked up) before its first scorer."""
        if not self._idle:
            self._idle.append(self._fork())

    def warm_up(self) -> None:
        """Start the host now: it imports torch and collects the checks while the
        caller does other work (finding and staging the submissions)."""
        if self._host is None and self._hosts_started < HOST_STARTS:
            self._host = Host(self.assignment, self.fork_server)
            self._hosts_started += 1

    def close(self) -> None:
        for scorer in self._idle:
            scorer.retire()
        self._idle.clear()
        if self._host is not None:
            self._host.close()
            self._host = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- one scorer's life ------------------------------------------------------

    def _start(self, job, queue, busy, deaths, args_of, done, label) -> None:
        scorer = self._idle.pop() if self._idle else self._fork()
        try:
            scorer.give(job, args_of(job))
        except OSError:   # it died while idle
            scorer.kill()
            self._died(job, queue, deaths, done, label)
            return
        busy.append(scorer)

    def _collect(self, scorer: Scorer, queue, deaths, done, label) -> None:
        job = scorer.job
        try:
            row = scorer.conn.recv()
        except (EOFError, OSError):
            scorer.kill()
            self._died(job, queue, deaths, done, label)
            return
        scorer.graded += 1
        scorer.job = None
        done(job, row)
        if scorer.graded >= self.recycle_after:
            scorer.retire()
        else:
            self._idle.append(scorer)

    def _died(self, job, queue, deaths, done, label) -> None:
        deaths[id(job)] += 1
        if deaths[id(job)] < DEATHS_PER_SUBMISSION:
            queue.appendleft(job)
            return
        done(job, failed_row(Status.ERROR, "the grader crashed repeatedly on this submission "
                                      f"(its scorer process died {DEATHS_PER_SUBMISSION} times); "
                                      f"grade it again with --regrade {label(job)}"))

    def _stalled(self, scorer: Scorer) -> bool:
        return time.monotonic() - scorer.since >= self.stall_after

    def _give_up(self, scorer: Scorer, done, label) -> None:
        message = (f"no result for {label(scorer.job)} after {self.stall_after:.0f} s: its "
                   f"scorer (pid {scorer.pid}) stopped responding, so it was killed and "
                   f"replaced; grade it again with --regrade {label(scorer.job)}")
        scorer.kill()
        self.note(message)
        done(scorer.job, failed_row(Status.ERROR, f"grader error: {message}"))

    def _time_left(self, busy) -> float | None:
        if not busy:
            return None
        oldest = min(s.since for s in busy)
        return max(0.0, oldest + self.stall_after - time.monotonic())

    def _fork(self) -> Scorer:
        for _ in range(2):   # the host itself may have died (the OOM killer): start another
            if self._host is None:
                if self._hosts_started >= HOST_STARTS:
                    break
                self.warm_up()
            try:
                scorer = self._host.fork()
                self.scorers_started += 1
                return scorer
            except HarnessError:
                self._host.close()
                self._host = None
        raise HarnessError(f"the scorer host died {self._hosts_started} times; the gradebook "
                           "keeps what was graded: run the same command again to go on")


def default_stall_after() -> float:
    """How long one submission may take before its scorer is taken for stuck:
    loading it, the whole check budget, then a margin."""
    return config.LOAD_TIMEOUT_S + config.SUBMISSION_BUDGET_S + config.SCORER_STALL_MARGIN_S


# --- in the host and the scorers ------------------------------------------------

def serve_host(control_fd: int, parent: int, assignment: str | None,
               fork_server: str | None) -> None:
    """The host's main loop: fork a scorer for each request until the owner is gone."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the batch
    control = socket.socket(fileno=control_fd)
    try:
        _preload(assignment)
    except ConfigError as exc:   # a rubric the batch's own process did not resolve
        _refuse(control, str(exc))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited scorers
    host = os.getpid()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            break
        if not message:
            break
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            _scorer_main(fds[0], host, fork_server)
        os.close(fds[0])
        try:
            control.sendall(_PID.pack(pid))
        except OSError:
            break
    os._exit(0)   # skip the interpreter's clean-up: about 0.9 s with torch loaded


def _refuse(control: socket.socket, message: str) -> None:
    """Answer the first request with ``message`` instead of a scorer, then exit."""
    data = message.encode("utf-8", "replace")[:4096]
    with contextlib.suppress(OSError):
        _, fds, _, _ = socket.recv_fds(control, 1, 1)
        for fd in fds:
            os.close(fd)
        control.sendall(_PID.pack(0) + _PID.pack(len(data)) + data)
    os._exit(0)


def _preload(assignment: str | None) -> None:
    """What every scorer needs, imported and collected once, before any student code runs."""
    import torch
    torch.set_num_threads(config.WORKER_THREADS)   # before anything could start a thread pool
    from grader import grading, report, session  # noqa: F401
    from grader.instructor import job  # noqa: F401
    from grader.rubric import load_rubric
    if assignment:
        session.for_rubric(load_rubric(assignment))


def _scorer_main(fd: int, host: int, fork_server: str | None) -> None:
    """A scorer: grade what arrives on ``fd`` until told to stop or the owner is gone."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _die_with(host)
        from grader.instructor.job import grade_file
        if fork_server:
            spawner.use(fork_server)
        conn = Connection(fd)
        while True:
            try:
                args = conn.recv()
            except EOFError:
                break
            if args is None:
                break
            row = grade_file(*args)
            row["scorer"] = os.getpid()   # which scorer graded it (not in the gradebook)
            conn.send(row)
        code = 0
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """SIGKILL this process when ``parent`` exits (Linux); exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
