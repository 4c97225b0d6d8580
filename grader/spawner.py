"""Ask the worker fork server for workers (the scoring side of it).

One server process (:mod:`grader.box.forkserver`) imports only torch and the
worker's modules, so a worker costs a fork, not an interpreter start, and
holds nothing of the scoring process (no rubric, no checks, no reference).
A batch starts one server and every scorer of the batch uses it;
``grader grade`` and ``make test`` start one of their own.

The server starts with an explicit, minimal environment: an instructor's
tokens in ours never reach it, so no worker can find them, not even in
``/proc/self/environ``.  Its socket lies in a private folder that no box
contains.

This module imports nothing heavy, so a command can start the server before
its own imports of torch and pytest, and the two start-ups overlap.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from multiprocessing.connection import wait

from grader import config
from grader.errors import HarnessError, UsageError

_LENGTH = struct.Struct("<q")
START_TIMEOUT_S = config.FORK_SERVER_START_TIMEOUT_S
SERVER_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
                      "CUDA_HOME", "NVIDIA_VISIBLE_DEVICES", "GRADER_PARITY_DEVICE")
ALLOW_UNISOLATED_ENV = "GRADER_ALLOW_UNISOLATED"   # set by student commands and --no-sandbox
_server = None            # (process, folder) when this process started the server
_address = None           # the socket path this process sends requests to
_plan_pipe = None         # where the server says, before importing torch, what it can isolate
_plan = None


def allow_unisolated() -> None:
    """Let workers run without file isolation (after a notice); inherited by scorers."""
    os.environ[ALLOW_UNISOLATED_ENV] = "1"


def start() -> str:
    """Start a fork server for this process (once) and return its address."""
    global _server, _address, _plan_pipe
    if _address is None:
        folder = tempfile.mkdtemp(prefix="grader-forkserver-")
        address = os.path.join(folder, "socket")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        listener.listen(64)
        plan_r, plan_w = os.pipe()
        # The whole checkout: it is in no box unless a system folder holds it (/usr/src/app)
        settings = {"hidden": [str(p) for p in (*config.HIDDEN_PATHS, config.REPO_ROOT / ".git",
                                                config.REPO_ROOT, folder)],
                    "d2l_shim": str(config.D2L_SHIM_DIR), "off": sorted(config.SANDBOX_OFF),
                    "slot_locks": config.BOX_SLOT_LOCKS, "slot_base": config.BOX_UID_BASE,
                    "slot_count": config.BOX_SLOTS, "plan_fd": plan_w}
        code = (f"import json, sys; sys.path.insert(0, {str(config.REPO_ROOT)!r}); "
                f"from grader.box.forkserver import serve; "
                f"serve({listener.fileno()}, json.loads({json.dumps(settings)!r}))")
        environment = {k: v for k, v in os.environ.items() if k in SERVER_ENVIRONMENT}
        # The server reads its stdin only to notice that we are gone.
        process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                   pass_fds=[listener.fileno(), plan_w], env=environment,
                                   cwd=folder)
        listener.close()
        os.close(plan_w)
        _plan_pipe = plan_r
        _server, _address = (process, folder), address
        atexit.register(stop)
    return _address


def plan() -> dict:
    """What this machine's workers can have, as the server found out before importing torch.

    ``{"namespaces": "root"|"user"|"none", "landlock": ABI, "seccomp": bool, "off": [...]}``
    """
    global _plan
    if _plan is None:
        start()
        if _plan_pipe is None:
            raise HarnessError("only the process that started the fork server knows its plan")
        data = b""
        while chunk := os.read(_plan_pipe, 4096):
            data += chunk
        try:
            _plan = json.loads(data)
        except ValueError:
            raise HarnessError("the fork server ended before it said what it can isolate") \
                from None
    return _plan


HOW_TO_ISOLATE = (
    "Student code would run without file isolation on this machine (no user and mount "
    "namespaces, no Landlock): it could read the reference solutions and the hidden checks. "
    "To enable isolation, run the grader as root on Linux, or allow unprivileged user "
    "namespaces (Ubuntu 24.04: sysctl kernel.apparmor_restrict_unprivileged_userns=0); in "
    "Docker (Gradescope included) start the container with --security-opt seccomp=unconfined "
    "--security-opt apparmor=unconfined --security-opt systempaths=unconfined --cap-add "
    "SYS_ADMIN (or --privileged); a kernel with Landlock (5.13+) is enough for a reduced "
    "sandbox. To grade without isolation anyway, pass --no-sandbox.")


def isolation_required() -> bool:
    """Whether a worker without file isolation must refuse to run student code."""
    return os.environ.get(ALLOW_UNISOLATED_ENV) != "1"


def require_isolation() -> None:
    """Refuse (UsageError) unless workers here get file isolation or it was waived.

    Asks the fork server, which knows before it has imported torch; each
    worker checks again before it runs student code.  Here rather than in
    :mod:`grader.sandbox` so that a batch, which never grades in its own
    process, does not import torch just to ask.
    """
    server_plan = plan()
    if server_plan["namespaces"] == "none" and not server_plan["landlock"] \
            and isolation_required():
        raise UsageError(HOW_TO_ISOLATE)


def use(address: str) -> None:
    """Send this process's requests to a server started elsewhere (a batch's)."""
    global _address
    _address = address


def stop() -> None:
    """Stop the server this process started, if any (it also stops when we exit)."""
    global _server, _address
    if _server is not None:
        process, folder = _server
        process.stdin.close()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
        _server = _address = None


class WorkerProcess:
    """A worker forked by the server: its pid, how it ended, and a way to kill it.

    ``channel`` and ``output`` are the worker's ends: its message pipe and the
    file its stdout and stderr go to.
    """

    def __init__(self, payload: dict, channel: int, output: int):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(START_TIMEOUT_S)
        body = json.dumps(payload).encode()
        try:
            self._sock.connect(start())
            socket.send_fds(self._sock, [_LENGTH.pack(len(body))], [channel, output])
            self._sock.sendall(body)
            self.pid = _LENGTH.unpack(recv_exactly(self._sock, _LENGTH.size))[0]
        except OSError as exc:
            self._sock.close()
            raise HarnessError(f"the fork server did not start a worker: {exc}") from None
        self.exitcode = None

    def join(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds for the worker to end; sets ``exitcode``."""
        if self.exitcode is None and wait([self._sock], timeout):
            try:
                self.exitcode = _LENGTH.unpack(recv_exactly(self._sock, _LENGTH.size))[0]
            except OSError:
                self.exitcode = -signal.SIGKILL  # the server is gone, and the worker with it
            self._sock.close()

    def kill(self) -> None:
        """SIGKILL the worker's process group, unless it has already been reaped."""
        self.join(0)
        if self.exitcode is None:
            for kill, target in ((os.killpg, self.pid), (os.kill, self.pid)):
                try:
                    kill(target, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes from a stream socket (ConnectionError if it closes first)."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data
