"""The scoring side of a student worker: start it, ask it, time it, kill it.

Workers are forked from a fork server (:mod:`grader.spawner`) that has
imported only torch and :mod:`grader.worker`, so a new worker costs a fork,
not an interpreter start, and holds nothing of the scoring process in its
memory (no rubric, no checks, no reference).  Messages are raw bytes in the
:mod:`grader.wire` format; the scoring side never unpickles anything a
worker sends.
"""
import multiprocessing
import os
import shutil
import signal
import tempfile
import time

from grader import config, jail, spawner, wire
from grader.errors import (HarnessError, NotImplementedYet, StudentError,
                           StudentTimeout, WorkerCrashed)

def _limits() -> dict:
    # CUDA reserves tens of GB of address space when it starts, so on a GPU
    # machine RLIMIT_AS would stop CUDA itself: leave it off there.
    memory = None if _has_cuda() else config.MEMORY_BUDGET_BYTES
    return {"memory": memory, "file_size": config.FILE_SIZE_LIMIT_BYTES,
            "threads": config.WORKER_THREADS, "statement_timeout": config.STATEMENT_TIMEOUT_S,
            "cpu_seconds": config.CPU_SECONDS_PER_WORKER, "max_processes": config.MAX_PROCESSES}


class Sandbox:
    """One submission's worker, restarted on demand after a hang or a crash.

    ``begin_check`` opens a time budget; the first timeout or crash inside a
    check is raised again, at once, by every later request of that check, so
    a hanging function costs one timeout, not one per hypothesis example.
    """

    def __init__(self, chunks: list[dict], bans: dict[str, list[str]], hide=()):
        self.chunks, self.bans = chunks, bans
        self.hide = [str(p) for p in (*config.HIDDEN_PATHS, *hide)]
        self.isolation_notes: list[str] = []
        self.gpu_settings: dict = {}
        self.process = self.conn = self.workdir = None
        self.load_problems: list[dict] = []
        self.generation = 0
        self.output = ""
        self._deadline = None
        self._check_timeout = config.CHECK_TIMEOUT_S
        self._spent: BaseException | None = None
        self._hung: set[str] = set()   # components that already timed out once
        self.watch_report: dict = {}   # the last reply's tampering report (grader.scratch)

    # -- lifecycle --
    def start(self):
        self.workdir = tempfile.mkdtemp(prefix="grader-worker-")
        ours, theirs = multiprocessing.Pipe(duplex=True)
        payload = {"chunks": self.chunks, "bans": self.bans, "limits": _limits(),
                   "workdir": self.workdir, "d2l_shim": str(config.D2L_SHIM_DIR),
                   "hide": self.hide}
        try:
            self.process = spawner.WorkerProcess(payload, theirs)
        finally:
            theirs.close()
        self.conn = ours
        self.generation += 1
        header, _ = self._receive(config.LOAD_TIMEOUT_S, "loading your submission")
        self.load_problems = header.get("load_problems", [])
        self.isolation_notes = [str(n) for n in header.get("isolation_notes", [])]
        self.gpu_settings = header.get("gpu", {})

    def close(self):
        if self.process is not None:
            self._kill()
        if self.workdir:
            if self.generation == 1:  # restarts print the same load-time output again
                self.output = _read_capped(os.path.join(self.workdir, "output.txt"))
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _kill(self):
        self.process.kill()
        self.process.join(5)
        jail.release_cgroup(self.process.pid)
        self.conn.close()
        self.process = self.conn = None

    # -- checks --
    def begin_check(self, timeout: float):
        self._deadline = time.monotonic() + timeout
        self._check_timeout = timeout
        self._spent = None

    def end_check(self):
        self._deadline = None
        self._check_timeout = config.CHECK_TIMEOUT_S
        self._spent = None

    # -- requests --
    def request(self, header: dict, args) -> dict:
        """Send one request; return the decoded result or raise the student's outcome."""
        if self._spent is not None:
            raise self._spent
        if self.process is None:
            self.start()
        blobs: list[bytes] = []
        encoded = wire.encode(args, blobs)
        self.conn.send_bytes(wire.pack({**header, "args": encoded}, blobs))
        component = header.get("component")
        try:
            reply, reply_blobs = self._receive(self._call_timeout(component),
                                               f"`{header.get('what', 'the call')}`")
        except StudentTimeout:
            self._hung.add(component)
            raise
        return self._result(reply, reply_blobs)

    def _call_timeout(self, component) -> float:
        """The per-call limit, within what is left of the check's budget.

        A component that hung once gets a short limit afterwards, so an endless
        loop costs one full timeout rather than one per check.
        """
        limit = config.CALL_TIMEOUT_AFTER_HANG_S if component in self._hung else config.CALL_TIMEOUT_S
        # A check the rubric gives its own time (a training run: one request, 40 s) may
        # spend it in one request: the rubric's limit is the one that applies.
        if component not in self._hung and self._check_timeout != config.CHECK_TIMEOUT_S:
            limit = max(limit, self._check_timeout)
        if self._deadline is None:
            return limit
        return max(0.0, min(limit, self._deadline - time.monotonic()))

    def _receive(self, timeout: float, doing: str):
        try:
            ready = self.conn.poll(timeout)
            if not ready:
                raise self._fail(StudentTimeout(
                    f"timed out: {doing} was still running after {timeout:.3g} s on a "
                    "small input; look for an endless loop or very slow Python loops"))
            message = self.conn.recv_bytes(config.MAX_MESSAGE_BYTES)
        except (EOFError, OSError) as exc:
            raise self._fail(WorkerCrashed(f"crashed while {doing}: {self._death(exc)}")) from None
        try:
            return wire.unpack(message)
        except wire.WireError as exc:
            raise self._fail(WorkerCrashed(f"sent an unreadable answer ({exc})")) from None

    def _death(self, exc) -> str:
        self.process.join(1)
        code = self.process.exitcode
        if code is None:
            return f"the connection broke ({exc})"
        if code < 0:
            return f"the process was killed by {signal.Signals(-code).name}"
        return f"the process exited with status {code}"

    def _fail(self, outcome: BaseException) -> BaseException:
        self.close()
        self._spent = outcome if self._deadline is not None else None
        return outcome

    def _result(self, reply: dict, blobs) -> dict:
        banned = reply.get("banned", [])
        # What the worker saw student code do to its watch; also on error replies.
        self.watch_report = {"tampered": reply.get("tampered", []), "notes": reply.get("notes", [])}
        if reply.get("poisoned"):
            self.close()  # the worker exits; the next request gets a fresh CUDA context
        if reply.get("ok"):
            infos: list = []
            try:
                result = wire.decode(reply.get("result"), blobs, infos)
            except (wire.WireError, KeyError, TypeError, ValueError) as exc:
                raise self._fail(WorkerCrashed(f"sent an unreadable answer ({exc})")) from None
            return {"result": result, "infos": infos, "banned": banned}
        error = reply.get("error") or {}
        kind = error.get("kind")
        text = f"{error.get('type', '')}: {error.get('message', '')}".strip(": ")
        if kind == "not_implemented":
            raise NotImplementedYet(error.get("message") or text)
        if kind == "student":
            raise StudentError(error.get("type", "Error"), error.get("message", ""),
                               error.get("where", ""))
        raise HarnessError(f"worker could not run the request: {text}\n{error.get('where', '')}")


def _read_capped(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(config.STUDENT_OUTPUT_CAP_BYTES + 1)
    except OSError:
        return ""
    text = data[:config.STUDENT_OUTPUT_CAP_BYTES].decode("utf-8", "replace")
    return text + ("\n[... output cut ...]" if len(data) > config.STUDENT_OUTPUT_CAP_BYTES else "")


def _has_cuda() -> bool:
    import torch
    return torch.cuda.is_available()
