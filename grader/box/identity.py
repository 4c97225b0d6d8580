"""Who the worker is: an unprivileged uid, no capabilities, no way back.

As root, the worker first becomes the box's uid on the host (``setresuid``)
and only then enters a user namespace: that namespace maps the box's uid to
itself, never to root, so files the host's root owns stay closed to it, and
the mount tree it copies is locked by the kernel (``umount`` of anything gets
EINVAL).  For a moment between the two it keeps root's capabilities
(``PR_SET_KEEPCAPS``) so that the namespace is created as root creates it
(Ubuntu's AppArmor rule confines namespaces made by unprivileged users).

A grader run by an ordinary user has only its own uid to map; the fork
server then lives in a user namespace of its own (see :func:`server_namespace`)
and each worker enters a second one, which locks its mounts the same way.
"""
import os

from grader.box import kernel
from grader.box.kernel import (CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
                               CLONE_NEWUSER, CLONE_NEWUTS)

def server_namespace() -> bool:
    """For a non-root fork server: become root of a user namespace of its own.

    Must run while the process has one thread (before torch is imported).
    Returns whether it worked.
    """
    uid, gid = os.getuid(), os.getgid()
    try:
        kernel.unshare(CLONE_NEWUSER)
        _write_maps(f"0 {uid} 1", f"0 {gid} 1")
        return True
    except OSError:
        return False


def enter_box_namespace(plan, host_ids=None) -> None:
    """Enter the box's user namespace (and net, IPC, UTS, cgroup, mount copies).

    The worker must have one thread.  Afterwards it is ``plan.uid`` inside,
    which maps to ``host_ids`` on the host (root grader: its slot's uid, see
    :mod:`grader.box.slots`) or to the grader's own uid (ordinary user).
    """
    if plan.namespaces == "root":
        outer_uid, outer_gid = host_ids or (plan.uid, plan.gid)
        become(outer_uid, outer_gid, keep_capabilities=True)
    else:
        outer_uid, outer_gid = 0, 0   # root of the server's own namespace = the user
    # Dumpable, or /proc/self stays root's: no uid_map to write, and with
    # hidepid no /proc/self at all.  ptrace stays denied by seccomp.
    kernel.prctl(kernel.PR_SET_DUMPABLE, 1)
    kernel.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                   | CLONE_NEWCGROUP)
    _write_maps(f"{plan.uid} {outer_uid} 1", f"{plan.gid} {outer_gid} 1")


def become(uid: int, gid: int, keep_capabilities: bool = False) -> None:
    """Switch to ``uid``/``gid`` with no supplementary groups (root only).

    Groups go first: an unmapped supplementary group still grants access.
    """
    os.setgroups([])
    if keep_capabilities:
        kernel.prctl(kernel.PR_SET_KEEPCAPS, 1)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if keep_capabilities:
        permitted = kernel.capget_permitted()
        kernel.capset(permitted, permitted)
        kernel.prctl(kernel.PR_SET_KEEPCAPS, 0)


def drop_bounding_set() -> None:
    """No capability can ever come back through ``execve`` (needs CAP_SETPCAP)."""
    for cap in range(kernel.last_capability() + 1):
        try:
            kernel.prctl(kernel.PR_CAPBSET_DROP, cap)
        except OSError:
            return   # no CAP_SETPCAP here: an ordinary user's bounding set stays


def drop_capabilities() -> None:
    """Empty every capability set, the bounding set where allowed, and set no_new_privs."""
    drop_bounding_set()
    try:
        kernel.prctl(kernel.PR_CAP_AMBIENT, kernel.PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass
    kernel.capset(0, 0, 0)
    kernel.prctl(kernel.PR_SET_NO_NEW_PRIVS, 1)


def has_capabilities() -> bool:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("CapEff:", "CapPrm:", "CapAmb:")) and int(line.split()[1], 16):
                return True
    return False


def _write_maps(uid_map: str, gid_map: str) -> None:
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(uid_map)
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(gid_map)
