"""What a worker's box is made of, decided once in the fork server.

The plan lists what the worker may see (read-only: the C library, Python,
its packages, the d2l shim; a few devices), what it may write (a size-capped
work folder, ``/tmp``, ``/dev/shm``), and which kernel layers this machine
allows.  Workers apply it after the fork (see :mod:`grader.box.jail`).
"""
import os
import sys
import tempfile
from dataclasses import dataclass, field

from grader.box import identity, kernel, landlock, limits, rootfs, slots, syscall_filter

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache",)
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
GPU_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
               *(f"/dev/nvidia{i}" for i in range(16)))


@dataclass
class Plan:
    """Everything a worker needs to build its box, without asking anyone."""

    namespaces: str = "none"      # "root", "user" (a user namespace of our own) or "none"
    pid_namespace: bool = False   # the server makes each worker PID 1 of a new PID namespace
    staging: str = ""             # an empty folder the new root is built on
    read_only: list = field(default_factory=list)    # folders and files, host paths
    symlinks: dict = field(default_factory=dict)     # /lib -> usr/lib, as on the host
    devices: list = field(default_factory=list)
    hidden: list = field(default_factory=list)       # never visible, even inside a bind
    uid: int = 65534              # the box's identity inside its user namespace; outside,
    gid: int = 65534              # a slot's own uid (below), else the grader's
    slot_locks: str = ""          # where uid slots are locked ("" none: uid 65534 as root,
    #                               the user's own uid for an ordinary user)
    slot_base: int = 60000        # root: host uids; an ordinary user: ids of the server's
    #                               namespace that map to the user's subordinate ids
    slot_count: int = 1000
    seccomp: bytes = b""
    landlock_abi: int = 0
    off: frozenset = frozenset()  # layers switched off on purpose (config.SANDBOX_OFF)

    def summary(self) -> dict:
        """What workers will get, in plain data (see :func:`grader.spawner.plan`)."""
        return {"namespaces": "none" if "namespaces" in self.off else self.namespaces,
                "landlock": 0 if "landlock" in self.off else self.landlock_abi,
                "seccomp": bool(self.seccomp) and "seccomp" not in self.off,
                "off": sorted(self.off)}


def readable_paths(hidden: list[str], d2l_shim: str) -> tuple[list[str], dict]:
    """Read-only folders and files of the box, and the host's top-level symlinks.

    A folder that holds a hidden one (the checkout itself, on ``sys.path``)
    is left out; what the worker needs from it (its virtualenv, the d2l shim)
    is listed on its own.
    """
    symlinks, paths = {}, []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            symlinks[path] = os.readlink(path)
        elif os.path.isdir(path):
            paths.append(path)
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    # sys.path entries outside Python's own folders (PYTHONPATH, the script's
    # folder) are left out: they could be anything, /tmp included.
    python = {*prefixes, d2l_shim, *(p for p in sys.path if os.path.isabs(p) and os.path.isdir(p)
                                     and any(_inside(p, prefix) for prefix in prefixes))}
    for path in sorted(python):
        for variant in {os.path.abspath(path), os.path.realpath(path)}:
            if not any(_inside(h, variant) for h in hidden):
                paths.append(variant)
    paths += [p for p in SYSTEM_FILES if os.path.exists(p)]
    kept = _outermost(paths)
    # A path inside a hidden folder that a bind shows (a virtualenv or the d2l shim in
    # a checkout under /usr) is bound again over its cover (grader.box.rootfs._cover).
    return kept + sorted({p for p in paths if p not in kept
                          and any(_inside(p, h) for h in hidden)}, key=len), symlinks


def around_hidden(readable: list[str], hidden: list[str]) -> list[str]:
    """``readable`` as Landlock rules that leave out every hidden folder inside it.

    A Landlock rule grants a whole tree, with no way to take a branch back;
    where a readable folder holds a hidden one (the checkout under ``/usr``)
    the folder is granted entry by entry, down to the hidden one, which is
    skipped.  Symbolic links get no rule (Landlock checks where they lead).
    Lists folders only where such a case exists, so it costs nothing otherwise.
    """
    rules = []
    for path in readable:
        rules += _granted(path, [h for h in hidden if _inside(h, path)])
    return rules


def _granted(path: str, holes: list[str]) -> list[str]:
    if not holes:
        return [path]
    if path in holes:
        return []
    try:
        names = os.listdir(path)
    except OSError:
        return []
    rules = []
    for name in names:
        child = os.path.join(path, name)
        if not os.path.islink(child):
            rules += _granted(child, [h for h in holes if _inside(h, child)])
    return rules


def devices() -> list[str]:
    return [d for d in (*DEVICES, *GPU_DEVICES) if os.path.exists(d)]


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: list[str]) -> list[str]:
    kept = []
    for path in sorted(set(paths), key=len):
        if not any(_inside(path, outer) for outer in kept):
            kept.append(path)
    return kept


def prepare(settings: dict) -> "Plan":
    """The plan for this machine, probed once; call while the process has one thread.

    ``settings`` come from the scoring side (:func:`grader.spawner.start`):
    ``hidden`` folders, the ``d2l_shim`` folder, layers switched ``off``.
    """
    off = frozenset(settings.get("off", ()))
    hidden = sorted({os.path.realpath(p) for p in settings["hidden"]})
    read_only, symlinks = readable_paths(hidden, settings["d2l_shim"])
    plan = Plan(read_only=read_only, symlinks=symlinks, devices=devices(), hidden=hidden,
                off=off, staging=tempfile.mkdtemp(prefix="grader-box-"),
                landlock_abi=landlock.abi(), seccomp=syscall_filter.compile_filter())
    if os.geteuid() == 0 and "uid" not in off and "slot_locks" in settings:
        plan.slot_locks = slots.lock_folder(settings["slot_locks"])
        plan.slot_base, plan.slot_count = settings["slot_base"], settings["slot_count"]
    if "namespaces" not in off and kernel.libc() is not None:
        user_slots = os.path.join(tempfile.gettempdir(), f"grader-box-slots-{os.getuid()}")
        plan.namespaces = _probe(plan, "" if "uid" in off else user_slots)
    limits.sweep_stale()
    return plan


def _probe(plan: Plan, user_slots: str) -> str:
    """Which way of building boxes works here: "root", "user" or "none".

    A test box is built in a child (before torch is imported, a fork is cheap).
    An ordinary user's boxes get subordinate ids where the server's namespace
    maps some and a test box with one of them can read what workers need;
    otherwise they run as the user's own uid.
    """
    mode = "root" if os.geteuid() == 0 else "user"
    if mode == "user":
        mapped = identity.server_namespace()
        if mapped is None:
            return "none"
        if mapped and user_slots:
            plan.slot_locks = slots.lock_folder(user_slots)
            plan.slot_base, plan.slot_count = 1, min(plan.slot_count, mapped)
    if mode == "root":
        plan.pid_namespace = _pid_namespace_trick()
        if not plan.pid_namespace:
            return "none"
    plan.namespaces = mode
    workdir = tempfile.mkdtemp(prefix="grader-box-probe-")
    try:
        if mode == "user" and plan.slot_locks and not _child_succeeds(
                lambda: _test_box(plan, workdir)):
            plan.slot_locks = ""   # subordinate ids that cannot read the box: the user's own
        return mode if _child_succeeds(lambda: _test_box(plan, workdir)) else "none"
    finally:
        os.rmdir(workdir)


def _pid_namespace_trick() -> bool:
    """Can the server make its next child PID 1 of a new namespace, and come back?"""
    try:
        own = os.open("/proc/self/ns/pid", os.O_RDONLY)
        kernel.unshare(kernel.CLONE_NEWPID)
        kernel.setns(own, kernel.CLONE_NEWPID)
        os.close(own)
        return True
    except OSError:
        return False


def _test_box(plan: Plan, workdir: str) -> None:
    kernel.unshare(kernel.CLONE_NEWPID)   # the grandchild mounts its own /proc
    if not _child_succeeds(lambda: _build(plan, workdir)):
        raise OSError("the test box failed")


def _build(plan: Plan, workdir: str) -> None:
    slot_ids = (plan.slot_base,) * 2 if plan.namespaces == "user" and plan.slot_locks else None
    owner = (plan.uid, plan.gid) if plan.namespaces == "root" else slot_ids or (0, 0)
    rootfs.build(plan, workdir, owner, {"work": 1 << 20, "tmp": 1 << 20, "shm": 1 << 20})
    identity.enter_box_namespace(plan, slot_ids)
    identity.drop_capabilities()
    if slot_ids is not None:   # another uid than the files' owner: can it read them?
        for path in plan.read_only:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").close()


def _child_succeeds(step) -> bool:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            step()
            code = 0
        except BaseException:  # noqa: BLE001 - any failure means "not here"
            pass
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0
