"""The fork server that student workers are forked from.

One server process imports only torch and :mod:`grader.worker` (which pays
torch's first-use costs once), so a worker costs a fork, not an interpreter
start, and holds nothing of the scoring process (no rubric, no checks, no
reference).  A batch starts one server and every scorer of the batch uses it;
``grader grade`` and ``make test`` start one of their own.

Protocol, over a Unix socket in a private folder: the scorer sends the
length of a JSON request with the worker's end of its pipe attached
(``SCM_RIGHTS``), then the request; the server forks the worker and answers
with its pid, and later with its exit code.  Workers cannot reach the socket:
their temp folders are empty mounts of their own (see :mod:`grader.jail`).

This module imports nothing heavy, so a command can start the server before
its own imports of torch and pytest, and the two start-ups overlap.
"""
import atexit
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection, wait

from grader.errors import HarnessError

_LENGTH = struct.Struct("<q")
START_TIMEOUT_S = 300.0   # the first answer waits for the server's imports
_server = None            # (process, folder) when this process started the server
_address = None           # the socket path this process sends requests to


def start() -> str:
    """Start a fork server for this process (once) and return its address."""
    global _server, _address
    if _address is None:
        folder = tempfile.mkdtemp(prefix="grader-forkserver-")
        address = os.path.join(folder, "socket")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        listener.listen(64)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = (f"import sys; sys.path.insert(0, {root!r}); "
                f"from grader.spawner import serve; serve({listener.fileno()})")
        # The server reads its stdin only to notice that we are gone.
        process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                   pass_fds=[listener.fileno()])
        listener.close()
        _server, _address = (process, folder), address
        atexit.register(stop)
    return _address


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
    """A worker forked by the server: its pid, how it ended, and a way to kill it."""

    def __init__(self, payload: dict, their_end: Connection):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(START_TIMEOUT_S)
        body = json.dumps(payload).encode()
        try:
            self._sock.connect(start())
            socket.send_fds(self._sock, [_LENGTH.pack(len(body))], [their_end.fileno()])
            self._sock.sendall(body)
            self.pid = _LENGTH.unpack(_recv_exactly(self._sock, _LENGTH.size))[0]
        except OSError as exc:
            self._sock.close()
            raise HarnessError(f"the fork server did not start a worker: {exc}") from None
        self.exitcode = None

    def join(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds for the worker to end; sets ``exitcode``."""
        if self.exitcode is None and wait([self._sock], timeout):
            try:
                self.exitcode = _LENGTH.unpack(_recv_exactly(self._sock, _LENGTH.size))[0]
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


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


# --- in the server process ----------------------------------------------------

def serve(listen_fd: int) -> None:
    """Fork a worker per request until the process that started us is gone."""
    from grader import worker  # noqa: F401 - torch and its first-use costs, paid once
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the process that owns us
    listener = socket.socket(fileno=listen_fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, socket.socket] = {}   # pid -> the requester's socket
    ended: dict[int, int] = {}                 # exit codes reaped before their pid was noted
    while True:
        ready, _, _ = select.select([listener, wake_r, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            break
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(children, ended)
        if listener in ready:
            _fork_worker(listener, children, ended, [wake_r, wake_w])
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    address = listener.getsockname()
    for remove in (os.unlink, os.rmdir):
        try:
            remove(address)
        except OSError:
            pass
        address = os.path.dirname(address)
    os._exit(0)  # skip the interpreter's clean-up: about 0.9 s with torch loaded


def _fork_worker(listener, children: dict, ended: dict, server_fds: list) -> None:
    conn, _ = listener.accept()
    try:
        conn.settimeout(10)
        head, fds, _, _ = socket.recv_fds(conn, _LENGTH.size, 1)
        if len(head) != _LENGTH.size or len(fds) != 1:
            raise ConnectionError("bad request")
        payload = json.loads(_recv_exactly(conn, _LENGTH.unpack(head)[0]))
    except (OSError, ValueError):
        conn.close()
        return
    pid = os.fork()
    if pid == 0:
        _become_worker(fds[0], payload, [listener, conn, *children.values()], server_fds)
    os.close(fds[0])
    try:
        conn.sendall(_LENGTH.pack(pid))
    except OSError:
        pass
    if pid in ended:
        _report(conn, ended.pop(pid))
    else:
        children[pid] = conn


def _become_worker(fd: int, payload: dict, sockets: list, server_fds: list) -> None:
    """In the forked child: drop the server's handles, then run the worker."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sock in sockets:
            sock.close()
        for server_fd in server_fds:
            os.close(server_fd)
        from grader import worker
        worker.main(Connection(fd), payload)
        code = 0
    finally:
        os._exit(code)


def _reap(children: dict, ended: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        if pid in children:
            _report(children.pop(pid), code)
        else:
            ended[pid] = code


def _report(conn: socket.socket, code: int) -> None:
    try:
        conn.sendall(_LENGTH.pack(code))
    except OSError:
        pass
    conn.close()
