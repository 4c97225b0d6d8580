"""Confine a worker process: its own network, process and file view, and limits.

Runs in the worker right after the fork, before any student code.  On Linux:

* a new network namespace: only a loopback that is down, no connection out;
* a new PID namespace whose init is the worker itself: the scoring process
  is invisible (no ``/proc/<pid>/mem`` to read or write), and when the worker
  dies the kernel kills every process the student started, ``setsid``
  daemons included;
* a new mount namespace with its own ``/proc`` and its own empty temp folders
  (``/tmp``, ``/var/tmp``, ``/dev/shm``; only what the worker needs there, its
  work folder and a checkout or virtualenv under /tmp, is mounted back):
  fork servers listen on sockets there, and a fork server forks whatever a
  client asks for, outside this jail.  The reference solutions, the checks,
  the harness's tests and the batch's folders (other students' files, the
  gradebook) are covered by empty read-only mounts;
* resource limits: address space, CPU seconds, file size, no core dumps, and
  where the pids cgroup is writable, at most ``max_processes`` processes.

Unprivileged users get the same through a user namespace where the kernel
allows one.  What cannot be done (macOS, no namespaces) is skipped and
returned as notes, which the run's output shows once.
"""
import ctypes
import os
import resource
import signal
import tempfile
import time

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
TEMP_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
TEMP_SIZE = b"size=256m,mode=1777"   # a private temp folder lives in memory
CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")


def apply(limits: dict, hide: list[str], keep: list[str]) -> list[str]:
    """Confine this process (it may fork: the caller continues as PID 1).

    ``keep`` lists folders the worker needs (its work folder, the grader,
    Python's packages) that stay visible even inside a temp folder.
    """
    os.setsid()  # own process group: the sandbox kills the whole group
    notes = _cgroup(limits["max_processes"])
    notes += _namespaces(hide, keep)
    _limits(limits)
    return notes


def _namespaces(hide: list[str], keep: list[str]) -> list[str]:
    libc = _libc()
    if libc is None:
        return ["no network, process or file isolation on this OS (needs Linux namespaces)"]
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if os.geteuid() != 0:
        flags |= CLONE_NEWUSER
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(flags) != 0:
        return [f"no network, process or file isolation: unshare failed "
                f"({os.strerror(ctypes.get_errno())})"]
    if flags & CLONE_NEWUSER:
        _map_ids(uid, gid)
    _become_init()
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return ["no file isolation: could not make mounts private"]
    notes = []
    if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        notes.append("other processes are visible in /proc")
    shared = _private_temp(libc, keep)
    if shared:
        notes.append(f"shared temp folders (fork servers reachable): {', '.join(shared)}")
    missed = [path for path in hide if os.path.isdir(path) and not _cover(libc, path)]
    if missed:
        notes.append(f"could not hide {', '.join(missed)}")
    return notes


def _private_temp(libc, keep: list[str]) -> list[str]:
    """Empty temp folders of our own; the folders in ``keep`` are mounted back in place.

    A checkout (and its virtualenv) can itself live under /tmp: whatever the
    worker needs there is mounted back, and the hidden folders inside are
    covered afterwards.  Returns the folders that could not be replaced.
    """
    wanted = sorted({os.path.realpath(p) for p in keep if p and os.path.isdir(p)}, key=len)
    handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in wanted}
    try:
        folders = sorted({os.path.realpath(p) for p in (*TEMP_FOLDERS, tempfile.gettempdir())
                          if os.path.isdir(p)})
        shared = [folder for folder in folders if not _empty_temp(libc, folder)]
        private = [f for f in folders if f not in shared]
        back = []
        for path, handle in handles.items():
            if any(path.startswith(f + "/") for f in private):  # never a temp folder itself
                os.makedirs(path, exist_ok=True)
                if libc.mount(f"/proc/self/fd/{handle}".encode(), path.encode(), None,
                              MS_BIND, None) != 0:
                    shared.append(f"({path} could not be mounted back)")
                back.append(path)
        for folder in private:  # a temp folder inside one mounted back is covered again
            if any(folder.startswith(path + "/") for path in back) and \
                    not _empty_temp(libc, folder):
                shared.append(folder)
        return shared
    finally:
        for handle in handles.values():
            os.close(handle)


def _empty_temp(libc, folder: str) -> bool:
    return libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, TEMP_SIZE) == 0


def _become_init() -> None:
    """Fork into the new PID namespace; this process only mirrors the child's end.

    The child is PID 1 there: when it dies, everything it started dies too.
    The parent keeps no copy of the worker's connection open (so the scorer
    sees EOF at once) and exits the way the child did.
    """
    child = os.fork()
    if child == 0:
        return
    for fd in range(3, 1024):
        try:
            os.close(fd)
        except OSError:
            pass
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _cover(libc, path: str) -> bool:
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV
    return libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=4k,mode=555") == 0


def _map_ids(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"0 {gid} 1")


def _cgroup(max_processes: int) -> list[str]:
    """Join a pids cgroup of our own, so a fork bomb stops at ``max_processes``."""
    for root in CGROUP_ROOTS:
        if os.access(os.path.join(root, "cgroup.procs"), os.W_OK) and \
                (os.path.exists(os.path.join(root, "pids.max")) or root.endswith("pids")):
            group = os.path.join(root, "grader", str(os.getpid()))
            try:
                os.makedirs(group, exist_ok=True)
                if not os.path.exists(os.path.join(group, "pids.max")):
                    os.rmdir(group)  # cgroup v2 without the pids controller enabled
                    continue
                with open(os.path.join(group, "pids.max"), "w") as handle:
                    handle.write(str(max_processes))
                with open(os.path.join(group, "cgroup.procs"), "w") as handle:
                    handle.write(str(os.getpid()))
                return []
            except OSError:
                continue
    return ["no limit on the number of processes (no writable pids cgroup)"]


def release_cgroup(pid: int) -> None:
    """Kill whatever is left in a worker's cgroup and remove it (scorer side)."""
    for root in CGROUP_ROOTS:
        group = os.path.join(root, "grader", str(pid))
        if not os.path.isdir(group):
            continue
        for _ in range(20):
            try:
                with open(os.path.join(group, "cgroup.procs")) as handle:
                    pids = [int(line) for line in handle if line.strip()]
            except OSError:
                break
            for leftover in pids:
                try:
                    os.kill(leftover, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                os.rmdir(group)
                break
            except OSError:
                time.sleep(0.01)


def _limits(limits: dict) -> None:
    if limits["memory"] is not None:  # None on GPU machines (see sandbox._limits)
        base = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (base + limits["memory"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 5))
    # Writing past the file-size limit then fails with an error the student
    # sees, instead of killing the worker with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _libc():
    if not os.path.exists("/proc/self/ns/net"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
