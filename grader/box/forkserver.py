"""The worker fork server: forks a worker per request, touches nothing else.

It imports torch and the worker's modules once (:mod:`grader.box.worker`), so a
worker costs a fork, not an interpreter start, and holds nothing of the
scoring process.  It never reads a submission: the forked child reads its
own request from the connection, so no student's code lies in the server's
memory for the next worker to find.

Requests (see :class:`grader.spawner.WorkerProcess`): an 8-byte length with
two descriptors attached (the worker's end of its channel and its output),
then that many bytes of JSON, read by the child.  Anything else closes that
connection only.  Each worker is PID 1 of a new PID namespace (root: made
here, without an extra fork; ordinary user: see :mod:`grader.box.launch`).

As root, each worker gets a uid of its own for as long as it lives
(:mod:`grader.box.slots`); when the server ends it removes the cgroups of
every scorer it served (:func:`grader.box.limits.release_owned`).
"""
import json
import os
import select
import signal
import socket
import struct
import sys
import time

from grader.box import kernel, limits, plan as box_plan, slots

LENGTH = struct.Struct("<q")
MAX_REQUEST_BYTES = 256 << 20
REQUEST_WAIT_S = 5.0       # a connection that sends no header in time is dropped
IDLE_BEFORE_LATE_WARM_UP_S = 0.25   # no request this long after the first forks: warm up more


class Server:
    def __init__(self, listen_fd: int, plan):
        self.listener = socket.socket(fileno=listen_fd)
        self.listener.setblocking(False)
        self.plan = plan
        self.children: dict[int, socket.socket] = {}   # pid -> the requester's socket
        self.ended: dict[int, int] = {}                 # reaped before their pid was noted
        self.pending: dict[socket.socket, float] = {}   # accepted, header not read yet
        self.wake_r, self.wake_w = os.pipe()
        self.alive = os.pidfd_open(os.getpid())         # children check we still exist
        self.own_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY)
        self.scorers: set[int] = set()                  # pids of the processes we served
        self.slots = slots.Slots(plan.slot_locks, plan.slot_count, plan.slot_base) \
            if plan.slot_locks else None
        self.held: dict[int, slots.Slot] = {}          # pid -> the uid slot it holds
        self.slot = None                                # the next child's slot
        self.last_fork: float | None = None             # time.monotonic() of the last fork
        self.late_warm_up_done = False                  # see worker.late_warm_up

    def run(self) -> None:
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        while True:
            waiting_to_warm_up = self.last_fork is not None and not self.late_warm_up_done
            ready, _, _ = select.select([self.listener, self.wake_r, sys.stdin, *self.pending],
                                        [], [], IDLE_BEFORE_LATE_WARM_UP_S
                                        if waiting_to_warm_up else 1.0)
            if waiting_to_warm_up and self._no_request_for(IDLE_BEFORE_LATE_WARM_UP_S, ready):
                self._late_warm_up()
            if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
                break
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
                self._reap()
            if self.listener in ready:
                self._accept()
            for conn in [c for c in ready if c in self.pending]:
                del self.pending[conn]
                self._request(conn)
            self._drop_stale()
        self._end()

    def _end(self) -> None:
        """Kill every worker, wait for them, and remove the cgroups they used."""
        for pid in [*self.children, *self.held]:
            _kill(pid)
        deadline = time.monotonic() + 2.0
        while (self.children or self.held) and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.01)
        limits.release_owned(self.scorers)

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        conn.setblocking(False)
        self.pending[conn] = time.monotonic()
        try:   # whose workers' cgroups to remove when we end
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            self.scorers.add(struct.unpack("3i", creds)[0])
        except OSError:
            pass

    def _drop_stale(self) -> None:
        now = time.monotonic()
        for conn in [c for c, t in self.pending.items() if now - t > REQUEST_WAIT_S]:
            del self.pending[conn]
            conn.close()

    def _request(self, conn: socket.socket) -> None:
        """Read a header and two descriptors; anything else ends that connection only."""
        fds = []
        try:
            head, fds, flags, _ = socket.recv_fds(conn, LENGTH.size, 2)
            size = LENGTH.unpack(head)[0] if len(head) == LENGTH.size else -1
            if len(fds) != 2 or not 0 < size <= MAX_REQUEST_BYTES or flags & socket.MSG_CTRUNC:
                raise ValueError("bad request")
        except (OSError, ValueError, struct.error):
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        pid = self._fork(conn, fds, size)
        for fd in fds:
            os.close(fd)
        try:
            conn.setblocking(True)
            conn.sendall(LENGTH.pack(pid))
        except OSError:
            pass
        if pid in self.ended:
            _report(conn, self.ended.pop(pid))
        else:
            self.children[pid] = conn

    def _no_request_for(self, seconds: float, ready: list) -> bool:
        """No worker asked for since the last fork, ``seconds`` ago (workers that end
        wake us up too: they do not count)."""
        return (self.listener not in ready and not self.pending
                and time.monotonic() - self.last_fork >= seconds)

    def _late_warm_up(self) -> None:
        """The warm-up that is not worth delaying the first workers for, done while the
        scorers grade with them (the first scorer requests come together)."""
        from grader.box import worker
        worker.late_warm_up()
        self.late_warm_up_done = True

    def _fork(self, conn, fds: list[int], size: int) -> int:
        self.last_fork = time.monotonic()
        self.slot = self.slots.take() if self.slots else None
        if self.plan.pid_namespace:
            kernel.unshare(kernel.CLONE_NEWPID)   # the next child is PID 1 of a new namespace
        try:
            pid = os.fork()
        except OSError:
            if self.slot is not None:
                self.slot.close()
            raise
        finally:
            if self.plan.pid_namespace and os.getpid() != 1:
                kernel.setns(self.own_pidns, kernel.CLONE_NEWPID)
        if pid == 0:
            self._child(conn, fds, size)
        if self.slot is not None:
            self.held[pid] = self.slot
        return pid

    def _child(self, conn, fds: list[int], size: int) -> None:
        code = 70
        try:
            kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
            if select.select([self.alive], [], [], 0)[0]:
                os._exit(code)   # the server died before PDEATHSIG was set
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGPIPE):
                signal.signal(sig, signal.SIG_DFL)
            # SIGINT stays ignored until the box has its own session (grader.box.jail):
            # a Ctrl-C meant for the batch must not end a worker half-built.
            payload = _read_payload(conn, size)
            for sock in (conn, self.listener, *self.children.values(), *self.pending):
                sock.close()
            for fd in (self.wake_r, self.wake_w, self.alive, self.own_pidns):
                os.close(fd)
            for slot in self.held.values():   # the server keeps them; the box closes all
                slot.close()
            from grader.box import launch
            code = launch.worker(self.plan, payload, channel=fds[0], output=fds[1],
                                 identity=self.slot.ids if self.slot else None)
        finally:
            os._exit(code)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            if pid in self.held:   # its processes died with it (PID 1 of its namespace)
                self.held.pop(pid).close()
            if pid in self.children:
                _report(self.children.pop(pid), code)
            else:
                self.ended[pid] = code


def serve(listen_fd: int, settings: dict) -> None:
    """Entry point of the server process (see :func:`grader.spawner.start`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the process that owns us
    plan = box_plan.prepare(settings)              # before torch: one thread, fast probe
    if "plan_fd" in settings:
        os.write(settings["plan_fd"], json.dumps(plan.summary()).encode())
        os.close(settings["plan_fd"])
    from grader.box import worker  # torch and its first-use costs, paid once
    if plan.summary()["namespaces"] == "none":
        # No root of its own: a box may not read the standard library (a Python under
        # /root), so a worker could not import torch._dynamo itself.  Import it now.
        worker.late_warm_up()
    Server(listen_fd, plan).run()
    try:
        os.rmdir(plan.staging)
    except OSError:
        pass
    os._exit(0)   # skip the interpreter's clean-up: about 0.9 s with torch loaded


def _read_payload(conn: socket.socket, size: int) -> dict:
    conn.setblocking(True)
    conn.settimeout(REQUEST_WAIT_S)
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ConnectionError("the request was cut short")
        data += chunk
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise ValueError("the request is not a JSON object")
    return payload


def _report(conn: socket.socket, code: int) -> None:
    try:
        conn.sendall(LENGTH.pack(code))
    except OSError:
        pass
    conn.close()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
