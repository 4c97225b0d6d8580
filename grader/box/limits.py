"""Resource limits: cgroups where this machine lets us write them, rlimits always.

A worker joins a memory, a pids and a cpu cgroup of its own before it enters
its user namespace (afterwards the host's cgroup files are closed to it).  The
memory cgroup counts what rlimits cannot: tmpfs pages (its work folder,
``/tmp``, ``/dev/shm``).  The cpu cgroup's quota keeps a worker whose threads
compute outside the GIL (torch operations) to its share of the cores, so it
cannot slow the other workers and the scorers down.

Every group the grader makes is removed: the scoring side removes a worker's
groups when the worker is gone, killing whatever is left in them
(:func:`release`); the fork server, when it ends, removes those of every
scorer it served (:func:`release_owned`, also after a SIGKILL of the batch,
which ends the server); and a starting server sweeps groups whose scorer is
gone (:func:`sweep_stale`), older versions' ``grader/<pid>`` included.
"""
import os
import resource
import signal
import time

CGROUP_ROOT = "/sys/fs/cgroup"
PARENT = "grader-box"
LEGACY_PARENT = "grader"   # pids/grader/<pid>: groups of versions before grader.box
CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000


JOINED: list = []   # the groups this worker joined, reported to the scoring side


def join_cgroups(name: str, memory_bytes: int, max_processes: int, cpus: float) -> list[str]:
    """Put this process in new memory, pids and cpu groups; returns the layers made."""
    made = []
    for controller, settings in (("memory", _memory_settings(memory_bytes)),
                                 ("pids", {"pids.max": str(max_processes)}),
                                 ("cpu", _cpu_settings(cpus))):
        # twice: another server may remove the empty parent between our two steps
        for _ in range(2):
            folder = _group(controller, name)
            if folder and _join(folder, settings):
                made.append(f"{controller} cgroup")
                JOINED.append(folder)
                break
    return made


def release(folders: list[str]) -> None:
    """Kill what is left in a worker's groups and remove them (scoring side).

    Only folders named like ours are touched (``.../grader-box/<name>``).
    """
    for folder in folders:
        folder = os.path.realpath(folder)
        if not (folder.startswith(CGROUP_ROOT + "/") and os.path.basename(
                os.path.dirname(folder)) == PARENT and os.path.isdir(folder)):
            continue
        for _ in range(50):
            for pid in _members(folder):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                os.rmdir(folder)
                break
            except OSError:
                time.sleep(0.01)


def sweep_stale() -> None:
    """Remove groups left by scorers that were killed before they could (fork server start).

    Groups are named ``<scorer pid>-<n>`` (older versions: ``grader/<pid>``);
    only those whose scorer is gone are touched.
    """
    _release_where(lambda scorer: not os.path.exists(f"/proc/{scorer}"))


def release_owned(scorers: set[int]) -> None:
    """Remove the groups of these scorers' workers (the fork server, as it ends).

    The server has killed its workers; a scorer that still lives can make no
    new worker without it.  The parent folder goes too once it is empty.
    """
    _release_where(lambda scorer: scorer in scorers)
    for parent in _parents(PARENT):
        _remove(parent)   # fails while another grader's groups are in it


def _release_where(owner_matches) -> None:
    for parent in _parents(PARENT):
        for name in _subgroups(parent):
            if owner_matches(int(name.split("-")[0])):
                release([os.path.join(parent, name)])
    for parent in _parents(LEGACY_PARENT):   # only emptied ones: nothing is killed there
        for name in _subgroups(parent):
            if owner_matches(int(name.split("-")[0])):
                _remove(os.path.join(parent, name))
        _remove(parent)


def _subgroups(parent: str) -> list[str]:
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    return [name for name in names if name.split("-")[0].isdigit()
            and os.path.isdir(os.path.join(parent, name))]


def _remove(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass


def _parents(name: str) -> list[str]:
    """Our ``<name>`` folder in each controller's hierarchy (not created)."""
    folders = []
    for controller in CONTROLLERS:
        group = _group(controller, "x", create=False)
        if group:
            folders.append(os.path.join(os.path.dirname(os.path.dirname(group)), name))
    return sorted(set(folders))


def set_rlimits(limits: dict, address_space: bool, processes: bool = False) -> list[str]:
    """File size, core dumps, CPU time, and address space unless CUDA may start.

    ``processes``: the worker's uid is its own (see
    :func:`grader.box.jail._uid_is_the_boxs_own`), so RLIMIT_NPROC bounds its
    threads where no pids cgroup does (Docker without a writable cgroup tree,
    an ordinary user): without it a worker started 19,000 threads in 5 s,
    more than half of a 32,768-pid machine, and other workers could not start.
    """
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Also bounds descriptors in flight and deleted files kept open (work-folder quota).
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 5))
    # Writing past the file-size limit then fails with an error the student
    # sees, instead of killing the worker with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    kinds = ["CPU", "file size", "open files"]
    if processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["max_processes"],) * 2)
        kinds.append("threads")
    if address_space and limits["memory"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + limits["memory"],) * 2)
        kinds.insert(0, "address space")
    return [f"rlimits ({', '.join(kinds)})"]


def _memory_settings(memory_bytes: int) -> dict:
    if os.path.exists(os.path.join(CGROUP_ROOT, "memory")):   # cgroup v1
        return {"memory.limit_in_bytes": str(memory_bytes), "memory.swappiness": "0"}
    return {"memory.max": str(memory_bytes), "memory.swap.max": "0"}


def _cpu_settings(cpus: float) -> dict:
    quota = max(1000, int(cpus * CPU_PERIOD_US))
    if os.path.exists(os.path.join(CGROUP_ROOT, "cpu")):   # cgroup v1 (often cpu,cpuacct)
        return {"cpu.cfs_quota_us": str(quota), "cpu.cfs_period_us": str(CPU_PERIOD_US)}
    return {"cpu.max": f"{quota} {CPU_PERIOD_US}"}


def _group(controller: str, name: str, create: bool = True) -> str | None:
    """``<hierarchy>/<our own group>/grader-box/<name>``, v1 or v2."""
    v1 = os.path.join(CGROUP_ROOT, controller)
    hierarchy = v1 if os.path.isdir(v1) else CGROUP_ROOT
    own = _own_group(controller if hierarchy == v1 else "")
    if own is None:
        return None
    parent = os.path.join(hierarchy, own.lstrip("/"), PARENT)
    if create and hierarchy == CGROUP_ROOT and not _v2_parent(parent, controller):
        return None
    return os.path.join(parent, name)


def _own_group(controller: str) -> str | None:
    try:
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controller in controllers.split(",") or (not controller and not controllers):
                    return path
    except OSError:
        pass
    return None


def _v2_parent(parent: str, controller: str) -> bool:
    """cgroup v2: the parent group must hand the controller down to its children."""
    try:
        os.makedirs(parent, exist_ok=True)
        with open(os.path.join(parent, "cgroup.subtree_control"), "w") as handle:
            handle.write(f"+{controller}")
        return True
    except OSError:
        return False


def _join(folder: str, settings: dict) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
        for index, (key, value) in enumerate(settings.items()):
            try:
                with open(os.path.join(folder, key), "w") as handle:
                    handle.write(value)
            except OSError:
                if index == 0:   # the limit itself; the others are refinements
                    raise
        with open(os.path.join(folder, "cgroup.procs"), "w") as handle:
            handle.write("0")
        return True
    except OSError:
        try:
            os.rmdir(folder)
        except OSError:
            pass
        return False


def _members(folder: str) -> list[int]:
    try:
        with open(os.path.join(folder, "cgroup.procs")) as handle:
            return [int(line) for line in handle if line.strip()]
    except OSError:
        return []


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0
