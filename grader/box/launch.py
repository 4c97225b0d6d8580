"""A forked worker's first steps: its PID namespace, its box, then the worker.

Any failure before student code runs is reported on the channel as
``box_error`` and ends the worker (fail closed): the scoring side records a
grader error instead of grading unisolated.
"""
import os
import signal

from grader import wire
from grader.box import jail, kernel


def worker(plan, payload: dict, channel: int, output: int, identity=None) -> int:
    """Run the worker in its box; returns the exit status for ``os._exit``.

    ``identity``: the (uid, gid) of this worker's slot on the host (root), or None.
    """
    try:
        if plan.namespaces == "user" and "namespaces" not in plan.off:
            _own_pid_namespace()
        layers = jail.enter(plan, payload, channel, output, identity)
    except (OSError, jail.BoxError, KeyError, TypeError, ValueError) as exc:
        _refuse(channel, f"the sandbox could not be set up: {exc}")
        return 71
    if payload.get("require_isolation") and not any(l.startswith(("namespaces", "landlock"))
                                                    for l in layers):
        _refuse(jail.CHANNEL_FD, "no file isolation on this machine (neither namespaces nor "
                                 "Landlock); refusing to run student code")
        return 72
    from multiprocessing.connection import Connection
    from grader.box import worker as worker_module
    worker_module.main(Connection(jail.CHANNEL_FD), payload, layers)
    return 0


def _own_pid_namespace() -> None:
    """An ordinary user's server cannot re-enter its PID namespace: fork once more.

    The child is PID 1 of the new namespace (its death ends everything it
    started); this process only mirrors how it ends.
    """
    kernel.unshare(kernel.CLONE_NEWPID)
    child = os.fork()
    if child == 0:
        kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
        return
    os.closerange(3, 1 << 20)   # the scoring side sees EOF as soon as the child ends
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _refuse(channel: int, message: str) -> None:
    from grader.box.limits import JOINED
    data = wire.pack({"box_error": message, "cgroups": JOINED}, [])
    for fd in (channel, jail.CHANNEL_FD):   # before or after the descriptors moved
        try:
            os.write(fd, len(data).to_bytes(4, "big", signed=True) + data)
            return
        except OSError:
            pass
