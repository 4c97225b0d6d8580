"""The scoring side of a student worker: start it, ask it, time it, kill it.

Workers are forked from a fork server (:mod:`grader.spawner`) that has
imported only torch and :mod:`grader.box.worker`, so a new worker costs a fork,
not an interpreter start, and holds nothing of the scoring process in its
memory (no rubric, no checks, no reference).  Each worker builds its box
(:mod:`grader.box`) before any student code runs and names the layers in
force in its first message.  Messages are raw bytes in the :mod:`grader.wire`
format; the scoring side never unpickles anything a worker sends.  What the
student prints goes to an in-memory file (memfd) that only we read.
"""
import itertools
import multiprocessing
import os
import select
import signal
import struct
import tempfile
import time

from grader import config, quota, spawner, wire
from grader.box import limits as box_limits
from grader.errors import (HarnessError, NotImplementedYet, StudentError,
                           StudentTimeout, UsageError, WorkerCrashed)

_boxes = itertools.count(1)
HIDDEN_OUTPUT_NOTE = "\n[... what your code printed during hidden checks is not shown ...]"


def _limits() -> dict:
    # CUDA reserves tens of GB of address space when it starts, so on a GPU
    # machine RLIMIT_AS would stop CUDA itself: leave it off there.
    memory = None if _has_cuda() else config.MEMORY_BUDGET_BYTES
    return {"memory": memory, "memory_cgroup": config.MEMORY_CGROUP_BYTES,
            "file_size": config.FILE_SIZE_LIMIT_BYTES, "work_folder": config.WORK_FOLDER_BYTES,
            "tmp": config.TMP_BYTES, "threads": config.WORKER_THREADS,
            "statement_timeout": config.STATEMENT_TIMEOUT_S,
            "cpu_seconds": config.CPU_SECONDS_PER_WORKER, "max_processes": config.MAX_PROCESSES,
            "cpus": config.WORKER_CPUS,
            "open_files": config.WORKER_OPEN_FILES, "work_folder_files": config.WORK_FOLDER_FILES,
            "max_load_problems": config.MAX_LOAD_PROBLEMS}


class Sandbox:
    """One submission's worker, restarted on demand after a hang or a crash.

    ``begin_check`` opens a time budget; the first timeout or crash inside a
    check is raised again, at once, by every later request of that check, so
    a hanging function costs one timeout, not one per hypothesis example.
    """

    def __init__(self, chunks: list[dict], bans: dict[str, list[str]], hide=(),
                 budget_s: float | None = None, hidden_share: float = 0.0):
        self.chunks, self.bans = chunks, bans
        self.hide = [str(p) for p in (*config.HIDDEN_PATHS, *hide)]
        self.budget_s = config.SUBMISSION_BUDGET_S if budget_s is None else budget_s
        # the part of the budget public checks may not use (kept for the hidden ones)
        self._kept_for_hidden = self.budget_s * hidden_share
        self._hidden_phase = False
        self.isolation: list[str] = []   # the sandbox layers in force
        self.gpu_settings: dict = {}
        self.process = self.conn = self.workdir = self._output = None
        self._cgroup = None
        self._cgroups: list[str] = []   # the worker's cgroup folders, removed when it ends
        self._quota: quota.Watch | None = None   # the work folder's, where it is on the host
        self._budget_end = None
        self.box_seconds: dict = {}   # the worker's own timing of its sandbox steps
        self.load_problems: list[dict] = []
        self.generation = 0
        self.output = ""
        self._shown_output = None   # (text, size) of the output when hidden checks began
        self._deadline = None
        self._check_timeout = config.CHECK_TIMEOUT_S
        self._spent: BaseException | None = None
        self._hung: set[str] = set()   # components that already timed out once
        self.watch_report: dict = {}   # the last reply's tampering report (grader.scratch)

    # -- lifecycle --
    def start(self):
        if self._budget_end is None:
            self._budget_end = time.monotonic() + self.budget_s
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="grader-worker-")
            self._output = os.memfd_create("student-output", os.MFD_CLOEXEC)
        self._cgroup = f"{os.getpid()}-{next(_boxes)}"
        self._cgroups = []
        self._quota = None
        ours, theirs = multiprocessing.Pipe(duplex=True)
        payload = {"chunks": self.chunks, "bans": self.bans, "limits": _limits(),
                   "workdir": self.workdir, "d2l_shim": str(config.D2L_SHIM_DIR),
                   "hide": self.hide, "cgroup": self._cgroup,
                   "require_isolation": spawner.isolation_required()}
        try:
            self.process = spawner.WorkerProcess(payload, theirs.fileno(), self._output)
        finally:
            theirs.close()
        self.conn = ours
        self.generation += 1
        self.isolation = self._boxed()
        self._watch_work_folder(payload["limits"])
        header, _ = self._receive(self._within_budget(config.LOAD_TIMEOUT_S),
                                  "loading your submission")
        self.load_problems = _capped_problems(header.get("load_problems", []))
        self.gpu_settings = header.get("gpu", {})
        # what the from-scratch watch cannot see here (no native callback): informational
        self.isolation += [str(note)[:config.WATCH_NOTE_CHARS]
                           for note in header.get("watch_notes", [])[:config.WATCH_NOTES_KEPT]]

    def _boxed(self) -> list[str]:
        """The worker's first message, sent before any student code ran: its layers."""
        try:
            header, _ = self._receive(config.LOAD_TIMEOUT_S, "setting up the sandbox")
        except (StudentTimeout, WorkerCrashed) as exc:
            raise HarnessError(f"the worker did not set up its sandbox: {exc}") from None
        if "box_error" in header:
            self._cgroups = [str(folder) for folder in header.get("cgroups", [])]
            self.close()
            raise HarnessError(str(header["box_error"]))
        self.box_seconds = header.get("seconds", {})
        self._cgroups = [str(folder) for folder in header.get("cgroups", [])]
        return [str(layer) for layer in header.get("layers", [])]

    def _watch_work_folder(self, limits: dict) -> None:
        """Without namespaces the work folder is on the host's disk: measure it from here."""
        if any(layer.startswith("namespaces") for layer in self.isolation):
            return   # a size-capped tmpfs of the box
        self._quota = quota.Watch(self.workdir, self.process.pid, limits,
                                  config.WORK_FOLDER_WATCH_S)
        if self._quota.active:
            self.isolation.append(f"work folder quota ({limits['work_folder'] >> 20} MiB, "
                                  f"{limits['work_folder_files']} files; measured by the scorer)")

    def close(self):
        """End the worker; the output and work folder go with the last restart."""
        if self.process is not None:
            self._kill()
        if self.workdir:
            if self.generation == 1:  # restarts print the same load-time output again
                self.output = self._output_for_student()
            os.close(self._output)
            quota.remove(self.workdir)
            self.workdir = self._output = None

    def _kill(self):
        if self._quota is not None:
            self._quota.stop()
        self.process.kill()
        self.process.join(5)
        box_limits.release(self._cgroups)
        self.conn.close()
        self.process = self.conn = None

    def _output_for_student(self) -> str:
        """What student code printed, up to the first hidden check: a hidden check's
        inputs printed by student code must not reach the student's feedback."""
        if self._shown_output is None:
            return _read_capped(self._output)
        text, size = self._shown_output
        return text + HIDDEN_OUTPUT_NOTE if os.fstat(self._output).st_size > size else text

    # -- checks --
    def begin_check(self, timeout: float, hidden: bool = False):
        """Open a check's time budget.  From the first hidden check on, the output is
        held back: a copy of what was printed so far is what the student sees."""
        if hidden and self._shown_output is None and self._output is not None:
            self._shown_output = (_read_capped(self._output), os.fstat(self._output).st_size)
        self._hidden_phase = self._hidden_phase or hidden
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
        self._check_budget()
        if self.process is None:
            self.start()
        blobs: list[bytes] = []
        encoded = wire.encode(args, blobs)
        component = header.get("component")
        try:
            self.conn.send_bytes(wire.pack({**header, "args": encoded}, blobs))
        except OSError as exc:   # it died between requests (a student's thread, its quota)
            what = header.get("what", "the call")
            raise self._fail(WorkerCrashed(f"crashed before `{what}`: {self._death(exc)}")) \
                from None
        # Components whose code this request also runs (a training run uses softmax...)
        hung_uses = [str(name) for name in header.get("uses", ()) if name in self._hung]
        doing = f"`{header.get('what', 'the call')}`"
        if hung_uses:
            doing += (f" (it uses {', '.join(hung_uses)}, which hung in an earlier check, "
                      f"so it had {config.CALL_TIMEOUT_AFTER_HANG_S:g} s)")
        try:
            reply, reply_blobs = self._receive(
                self._call_timeout(component, hung=bool(hung_uses)), doing)
        except StudentTimeout:
            self._hung.add(component)
            raise
        return self._result(reply, reply_blobs, header.get("op"))

    def _call_timeout(self, component, hung: bool = False) -> float:
        """The per-call limit, within what is left of the check's budget.

        A component that hung once gets a short limit afterwards, so an endless
        loop costs one full timeout rather than one per check; so does a request
        that runs a component that hung (``hung``): a training run with a softmax
        that loops forever must not spend the time the remaining checks need.
        """
        hung = hung or component in self._hung
        limit = config.CALL_TIMEOUT_AFTER_HANG_S if hung else config.CALL_TIMEOUT_S
        # A check the rubric gives its own time (a training run: one request, 40 s) may
        # spend it in one request: the rubric's limit is the one that applies.
        if not hung and self._check_timeout != config.CHECK_TIMEOUT_S:
            limit = max(limit, self._check_timeout)
        if self._deadline is not None:
            limit = min(limit, self._deadline - time.monotonic())
        return max(0.0, self._within_budget(limit))

    def _budget_left_end(self) -> float:
        """When the current phase's budget ends: public checks leave a share to the hidden."""
        return self._budget_end - (0.0 if self._hidden_phase else self._kept_for_hidden)

    def _within_budget(self, limit: float) -> float:
        if self._budget_end is None:
            return limit
        return max(0.0, min(limit, self._budget_left_end() - time.monotonic()))

    def _check_budget(self) -> None:
        """Once the submission's wall-clock budget is spent, every request times out."""
        if self._budget_end is not None and time.monotonic() >= self._budget_left_end():
            if self.process is not None:
                self.close()
            if not self._hidden_phase and self._kept_for_hidden:
                raise StudentTimeout(
                    f"timed out: your submission used the time budget of its public checks "
                    f"({self.budget_s - self._kept_for_hidden:g} of {self.budget_s:g} s; the "
                    "rest is kept for hidden checks); the remaining public checks were not "
                    "run. Look for slow or endless loops")
            raise StudentTimeout(f"timed out: your submission used its whole time budget "
                                 f"({self.budget_s:g} s for all checks); the remaining "
                                 "checks were not run. Look for slow or endless loops")

    def _receive(self, timeout: float, doing: str):
        deadline = time.monotonic() + timeout
        fd = self.conn.fileno()
        try:
            if not _readable(fd, timeout):
                raise self._fail(StudentTimeout(
                    f"timed out: {doing} was still running after {timeout:.3g} s on a "
                    "small input; look for an endless loop or very slow Python loops"))
            # The channel is in the student's hands: a worker that sends part of an
            # answer and stops is killed at the deadline.
            message = read_message(fd, deadline + config.RECEIVE_GRACE_S,
                                   config.MAX_MESSAGE_BYTES)
        except _Late:
            self.process.kill()
            raise self._fail(StudentTimeout(
                f"timed out: {doing} began an answer and never finished it")) from None
        except (EOFError, OSError) as exc:
            raise self._fail(WorkerCrashed(f"crashed while {doing}: {self._death(exc)}")) from None
        try:
            return wire.unpack(message)
        except wire.WireError as exc:
            raise self._fail(WorkerCrashed(f"sent an unreadable answer ({exc})")) from None

    def _death(self, exc) -> str:
        if self._quota is not None and self._quota.exceeded:
            return self._quota.exceeded
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

    def _result(self, reply: dict, blobs, op=None) -> dict:
        """The reply as the checks use it; anything else is the worker's failure.

        The worker is the student's process: whatever it sends (a made-up
        error kind, a result of another shape, a description that cannot be
        decoded) fails the check as a crash, counted.  Only the scoring side's
        own exceptions may be grader failures, which are left out of the score.
        """
        problem = _malformed(reply)
        if problem:
            raise self._fail(WorkerCrashed(f"sent an unreadable answer ({problem})"))
        banned = reply.get("banned", [])
        # What the worker saw student code do to its watch; also on error replies.
        self.watch_report = {"tampered": reply.get("tampered", []), "notes": reply.get("notes", [])}
        if reply.get("poisoned"):
            self.close()  # the worker exits; the next request gets a fresh CUDA context
        if reply.get("ok"):
            infos: list = []
            try:
                result = wire.decode(reply.get("result"), blobs, infos)
                problem = _unexpected_result(op, result)
            except Exception as exc:  # noqa: BLE001 - any failure to decode is the worker's
                problem = f"{type(exc).__name__}: {exc}"[:300]
            if problem:
                raise self._fail(WorkerCrashed(f"sent an unreadable answer ({problem})"))
            return {"result": result, "infos": infos, "banned": banned}
        error = reply.get("error")
        kind = error.get("kind")
        text = f"{error.get('type', '')}: {error.get('message', '')}".strip(": ")
        if kind == "not_implemented":
            raise NotImplementedYet(str(error.get("message") or text))
        if kind == "student":
            raise StudentError(str(error.get("type", "Error")), str(error.get("message", "")),
                               str(error.get("where", "")))
        # The worker says our code failed in it; that word comes from the student's process.
        raise self._fail(WorkerCrashed(
            f"the process running your code failed outside your functions ({text[:300]})"))


_LISTS = ("banned", "tampered", "notes")
# The fields each probe's result has (grader.box.probes), with their types.
_RESULT_FIELDS = {
    "call": {"outputs": list, "grads": list, "param_grads": dict, "repeats": list,
             "inputs_before": list, "inputs_after": list, "no_graph": bool},
    "new": {"handle": int},
    "state": {"is_module": bool, "training": bool, "attributes": dict, "parameters": dict},
    "sgd": {"params": list, "same_objects": bool, "final_grads": list},
    "train": {},
}
_REQUIRED = {"new": ("handle",), "state": ("is_module", "training", "attributes"),
             "sgd": ("params", "same_objects", "final_grads"), "train": ("losses", "test_logits")}


def _malformed(reply: dict) -> str:
    """What is wrong with a reply's frame (not its result), or ""."""
    if not all(type(reply.get(key, [])) is list for key in _LISTS):
        return "a report that is not a list"
    if not all(type(item) is str for key in _LISTS for item in reply.get(key, [])):
        return "a report entry that is not text"
    if type(reply.get("ok", False)) is not bool or type(reply.get("poisoned", False)) is not bool:
        return "a flag that is not true or false"
    if not reply.get("ok") and type(reply.get("error")) is not dict:
        return "an error without a description"
    return ""


def _unexpected_result(op, result) -> str:
    """Whether ``result`` has the shape :mod:`grader.box.probes` gives ``op``'s, or why not."""
    if op not in _RESULT_FIELDS:
        return ""
    if type(result) is not dict:
        return f"a {type(result).__name__} instead of the result of `{op}`"
    missing = [key for key in _REQUIRED.get(op, ()) if key not in result]
    if op == "call" and "output" not in result and "outputs" not in result:
        missing.append("output")
    wrong = [key for key, kind in _RESULT_FIELDS[op].items()
             if key in result and not _is(result[key], kind)]
    if missing or wrong:
        return f"the result of `{op}` lacks {missing} or has the wrong type for {wrong}"
    return ""


def _is(value, kind) -> bool:
    """``isinstance`` without bool passing for int (a handle of True)."""
    return type(value) is kind if kind in (bool, int) else isinstance(value, kind)


class _Late(Exception):
    """The deadline passed before the whole message arrived."""


def read_message(fd: int, deadline: float, max_bytes: int) -> bytearray:
    """One message in :class:`multiprocessing.connection.Connection`'s framing
    (the worker sends with ``send_bytes``), read by ``deadline`` (monotonic).

    Polling with a deadline instead of a blocking ``recv_bytes`` guarded by a
    timer thread: a thread per request cost about half a millisecond.  Raises
    :class:`_Late` at the deadline, EOFError if the channel closes, OSError for
    a length over ``max_bytes``.
    """
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    (size,) = struct.unpack("!i", _read_exactly(fd, 4, deadline, poller))
    if size == -1:
        (size,) = struct.unpack("!Q", _read_exactly(fd, 8, deadline, poller))
    if size < 0 or size > max_bytes:
        raise OSError(f"bad message length {size} (at most {max_bytes} bytes are accepted)")
    return _read_exactly(fd, size, deadline, poller)


def _readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` has data (or was closed) within ``timeout`` seconds."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(0.0, timeout) * 1000))


def _read_exactly(fd: int, size: int, deadline: float, poller) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        left_ms = (deadline - time.monotonic()) * 1000
        if left_ms <= 0 or not poller.poll(left_ms):
            raise _Late()
        count = os.readv(fd, [view[got:]])
        if count == 0:
            raise EOFError("the worker closed its channel")
        got += count
    return buffer


def _capped_problems(problems) -> list[dict]:
    """The worker caps its list; a worker's word is not trusted, so cap it here too."""
    if not isinstance(problems, list):
        return []
    kept = [p for p in problems[:config.MAX_LOAD_PROBLEMS] if isinstance(p, dict)]
    return [{key: str(p.get(key, ""))[:config.MESSAGE_CHARS]
             for key in ("where", "type", "message")}
            for p in kept]


def _read_capped(fd: int) -> str:
    try:
        data = os.pread(fd, config.STUDENT_OUTPUT_CAP_BYTES + 1, 0)
    except OSError:
        return ""
    text = data[:config.STUDENT_OUTPUT_CAP_BYTES].decode("utf-8", "replace")
    return text + ("\n[... output cut ...]" if len(data) > config.STUDENT_OUTPUT_CAP_BYTES else "")


def _has_cuda() -> bool:
    import torch
    return torch.cuda.is_available()
