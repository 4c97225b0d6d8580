"""Put a freshly forked worker in its box, in the one order that is safe.

1. its own session and cgroups (memory, pids), while it may still write them;
2. a fresh read-only root (:mod:`grader.box.rootfs`) and a user namespace
   mapped to an unprivileged uid (:mod:`grader.box.identity`), which locks
   every mount; or, where namespaces are not allowed, that uid on the host;
3. an explicit environment and no file descriptor but its channel and output;
4. no capabilities, ``no_new_privs``, Landlock, rlimits, and seccomp last.

Returns the names of the layers in force; the scoring side puts them in every
result.  A layer the plan says this machine allows but that fails here stops
the worker before any student code runs (fail closed).
"""
import os
import signal
import time

from grader.box import identity, kernel, landlock, limits, plan as box_plan, rootfs, syscall_filter

CHANNEL_FD = 3
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "OMP_NUM_THREADS": "1",
               # torch.compile runs the function as written: compiling needs processes
               # the box does not allow and cannot trace through the watch, and a
               # compiled banned call must be seen like any other
               "TORCHDYNAMO_DISABLE": "1"}
PASSED_ON = ("CUDA_VISIBLE_DEVICES", "GRADER_PARITY_DEVICE")   # from the fork server's own


class BoxError(Exception):
    """A layer this machine allows could not be set up: no student code may run."""


STEP_TIMES: dict = {}   # seconds per step of the last enter(), for `make bench`


def enter(plan, payload: dict, channel: int, output: int, slot_ids=None) -> list[str]:
    """``slot_ids``: this worker's own (uid, gid) on the host (root grader), or None."""
    parent = os.getppid()
    os.setsid()   # its own process group: killed as one where there is no PID namespace
    # Out of the terminal's group now: a KeyboardInterrupt can only be the student's own.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    off = plan.off
    started = time.perf_counter()
    layers = [] if "cgroups" in off else limits.join_cgroups(
        payload["cgroup"], payload["limits"]["memory_cgroup"], payload["limits"]["max_processes"],
        payload["limits"]["cpus"])
    STEP_TIMES["cgroups"] = time.perf_counter() - started
    workdir = payload["workdir"]
    host_ids = _host_identity(plan, slot_ids)
    if plan.namespaces != "none" and "namespaces" not in off:
        try:
            _namespaces(plan, payload, workdir,
                        host_ids if plan.namespaces == "root" or slot_ids is not None else None)
        except OSError as exc:
            raise BoxError(f"could not build the box: {exc}") from None
        layers.append("namespaces (user, mount, pid, net, ipc, uts, cgroup; fresh read-only "
                      "root)")
        layers.append(_uid_layer(plan, slot_ids))
    elif os.geteuid() == 0 and "uid" not in off:
        os.chown(workdir, *host_ids)
        identity.drop_bounding_set()   # while still root: afterwards it takes CAP_SETPCAP
        identity.become(*host_ids)
        layers.append(f"uid {_uid_outside(plan, slot_ids)}")
    os.chdir(workdir)
    _environment(workdir)
    _descriptors(channel, output)
    STEP_TIMES["namespaces"] = time.perf_counter() - started - STEP_TIMES["cgroups"]
    identity.drop_capabilities()
    if identity.has_capabilities():
        raise BoxError("capabilities are still held after dropping them")
    layers += ["no capabilities", "no_new_privs"]
    cuda = payload["limits"]["memory"] is None
    layers += limits.set_rlimits(payload["limits"], address_space=not cuda,
                                 processes=_uid_is_the_boxs_own(plan, slot_ids))
    if plan.landlock_abi and "landlock" not in off:
        readable, writable = _landlock_paths(plan, payload, workdir)
        landlock.restrict(plan.landlock_abi, readable, writable)
        layers.append(f"landlock (ABI {plan.landlock_abi})")
    _die_with_parent(parent)
    if plan.seccomp and "seccomp" not in off:
        syscall_filter.load(plan.seccomp)   # also keeps student code from undoing that
        layers.append("seccomp")
    STEP_TIMES["total"] = time.perf_counter() - started
    return layers


def _die_with_parent(parent: int) -> None:
    """SIGKILL this worker when the process that started it ends, once more.

    The kernel clears the parent-death signal when a process changes its uids,
    which the box has just done.  Where the worker runs under another uid than
    the scorer (an ordinary user's subordinate ids), the scorer cannot signal
    it; it ends the worker's parent, and this signal carries that on (without it
    a looping worker outlived the batch).  Set last, once no uid changes any more;
    seccomp then refuses ``prctl(PR_SET_PDEATHSIG)`` to student code.
    """
    kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:   # it ended before the signal was armed
        raise BoxError("the process that started this worker ended while it was set up")


def _host_identity(plan, slot_ids) -> tuple[int, int]:
    """Who the worker is on the host as root: its slot's uid, or the shared one.

    A root grader whose plan has slots but got none refuses (fail closed).
    """
    if slot_ids is not None:
        return tuple(slot_ids)
    if plan.slot_locks and os.geteuid() == 0 and "uid" not in plan.off:
        raise BoxError(f"all {plan.slot_count} uids for boxes are in use; "
                       "lower the number of parallel workers")
    return plan.uid, plan.gid


def _uid_is_the_boxs_own(plan, slot_ids) -> bool:
    """Whether the kernel's per-user process count would count this box's tasks alone.

    RLIMIT_NPROC counts the tasks of the worker's user: a slot's uid (root
    grader) is no one else's; inside a user namespace of its own, Linux 5.14
    and newer count per namespace.  An ordinary user's worker without one
    shares its count with every process of that user, so it gets no limit.
    """
    if plan.namespaces != "none" and "namespaces" not in plan.off:
        return slot_ids is not None or _kernel_at_least(5, 14)
    return slot_ids is not None


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        found = tuple(int(part) for part in os.uname().release.split("-")[0].split(".")[:2])
    except ValueError:
        return False
    return found >= (major, minor)


def _uid_layer(plan, slot_ids) -> str:
    """The namespaced box's identity, inside and outside, in the layer's words."""
    if plan.namespaces == "root":
        return f"uid {plan.uid} in the box, {_uid_outside(plan, slot_ids)} outside"
    if slot_ids is not None:
        return (f"uid {plan.uid} in the box, a subordinate uid of the grader's user "
                "(one per box) outside")
    return f"uid {plan.uid} in the box (the grader's own uid outside)"


def _uid_outside(plan, slot_ids) -> str:
    """The layer's words: stable across runs (the slot's number is not)."""
    if slot_ids is None:
        return f"{plan.uid} (shared by every box: no slot folder)"
    return f"{plan.slot_base}+slot (one per box)"


def _namespaces(plan, payload, workdir: str, host_ids: tuple[int, int] | None) -> None:
    """``host_ids``: who the worker is in the server's namespace (None: an ordinary
    user's server without subordinate ids, whose root is the user)."""
    owner = host_ids or (0, 0)
    sizes = {"work": payload["limits"]["work_folder"], "tmp": payload["limits"]["tmp"],
             "shm": payload["limits"]["tmp"]}
    started = time.perf_counter()
    rootfs.build(plan, workdir, owner, sizes, hide=payload.get("hide", ()))
    STEP_TIMES["root"] = time.perf_counter() - started
    identity.enter_box_namespace(plan, host_ids)


def _environment(workdir: str) -> None:
    """Nothing inherited: an instructor's tokens must never reach student code."""
    kept = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    os.environ.clear()
    os.environ.update(ENVIRONMENT, HOME=workdir, TMPDIR=workdir, **kept)


def _descriptors(channel: int, output: int) -> None:
    """stdin /dev/null, stdout and stderr the output, the channel on fd 3, nothing else."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.dup2(channel, CHANNEL_FD)
    os.closerange(CHANNEL_FD + 1, 1 << 20)


def _landlock_paths(plan, payload, workdir: str) -> tuple[list[str], list[str]]:
    if plan.namespaces != "none" and "namespaces" not in plan.off:
        return ["/"], [workdir, "/tmp", "/dev/shm", *plan.devices]
    hidden = [*plan.hidden, *payload.get("hide", ())]
    readable = box_plan.around_hidden(plan.read_only, hidden)
    return [*readable, *plan.symlinks, *plan.devices], [workdir, *plan.devices]
