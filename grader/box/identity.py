"""Who the worker is: an unprivileged uid, no capabilities, no way back.

As root, the worker first becomes the box's uid on the host (``setresuid``)
and only then enters a user namespace: that namespace maps the box's uid to
itself, never to root, so files the host's root owns stay closed to it, and
the mount tree it copies is locked by the kernel (``umount`` of anything gets
EINVAL).  For a moment between the two it keeps root's capabilities
(``PR_SET_KEEPCAPS``) so that the namespace is created as root creates it
(Ubuntu's AppArmor rule confines namespaces made by unprivileged users).

A grader run by an ordinary user gets a user namespace of its own for the
fork server (see :func:`server_namespace`), and each worker enters a second
one, which locks its mounts the same way.  Where the user has subordinate ids
(``/etc/subuid``, ``/etc/subgid``) and the ``newuidmap``/``newgidmap`` helpers
are installed (Debian's ``uidmap``), the server's namespace maps them too and
each worker becomes one of them, as a root grader's become a slot's uid;
otherwise the only uid to map is the user's own.
"""
import os
import pwd
import shutil
import subprocess

from grader.box import kernel
from grader.box.kernel import (CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
                               CLONE_NEWUSER, CLONE_NEWUTS)

SUBORDINATE_IDS_USED = 65_536   # at most this many of the user's subordinate ids are mapped


def server_namespace() -> int | None:
    """For a non-root fork server: become root of a user namespace of its own.

    Must run while the process has one thread (before torch is imported).
    Returns how many of the user's subordinate ids it maps (as ids 1..n, for
    the boxes), 0 when it maps only the user's own uid, None on failure.
    """
    uid, gid = os.getuid(), os.getgid()
    ranges = subordinate_ranges(uid)
    try:
        if ranges is not None and shutil.which("newuidmap") and shutil.which("newgidmap"):
            mapped = _unshare_mapped_by_helpers(uid, gid, *ranges)
            if mapped is not None:
                return mapped
        else:
            kernel.unshare(CLONE_NEWUSER)
    except OSError:   # no namespace at all
        return None
    try:   # the user's own ids, for a map no helper wrote
        uid_done, gid_done = _maps_written()
        _write_maps(None if uid_done else f"0 {uid} 1", None if gid_done else f"0 {gid} 1")
        return 0
    except OSError:
        return None


def subordinate_ranges(uid: int, files=("/etc/subuid", "/etc/subgid")
                       ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The user's first (start, count) in ``/etc/subuid`` and in ``/etc/subgid``
    (lines ``name-or-uid:start:count``), or None if either has none."""
    try:
        names = {str(uid), pwd.getpwuid(uid).pw_name}
    except KeyError:
        names = {str(uid)}
    found = []
    for path in files:
        try:
            with open(path) as handle:
                entries = [line.strip().split(":") for line in handle]
        except OSError:
            return None
        match = next(((int(e[1]), int(e[2])) for e in entries
                      if len(e) == 3 and e[0] in names and e[1].isdigit() and e[2].isdigit()
                      and int(e[2]) > 0), None)
        if match is None:
            return None
        found.append(match)
    return found[0], found[1]


def _unshare_mapped_by_helpers(uid: int, gid: int, subuids, subgids) -> int | None:
    """Enter a new user namespace whose maps ``newuidmap``/``newgidmap`` write.

    Those setuid helpers work only from outside the namespace, so a child
    forked first runs them once the parent has unshared.  Returns how many
    subordinate ids were mapped, or None if a helper failed (the maps it did
    not write are still to be written); OSError if the namespace was not made.
    """
    count = min(subuids[1], subgids[1], SUBORDINATE_IDS_USED)
    ready_r, ready_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(ready_w)
        done = False
        try:
            if os.read(ready_r, 1) == b"u":
                parent = str(os.getppid())
                done = (_helper("newuidmap", parent, uid, subuids[0], count)
                        and _helper("newgidmap", parent, gid, subgids[0], count))
        finally:
            os._exit(0 if done else 1)
    os.close(ready_r)
    try:
        kernel.unshare(CLONE_NEWUSER)
        os.write(ready_w, b"u")
    finally:
        os.close(ready_w)   # a child told nothing exits
        _, status = os.waitpid(child, 0)
    return count if os.waitstatus_to_exitcode(status) == 0 else None


def _helper(program: str, pid: str, own: int, start: int, count: int) -> bool:
    """``program`` (newuidmap or newgidmap): the own id as 0, subordinate ones as 1..count."""
    try:
        return subprocess.run([program, pid, "0", str(own), "1", "1", str(start), str(count)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _maps_written() -> tuple[bool, bool]:
    """Whether this process's uid and gid maps hold anything (a fresh namespace: no)."""
    written = []
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/self/{name}") as handle:
            written.append(handle.read().strip() != "")
    return written[0], written[1]


def enter_box_namespace(plan, host_ids=None) -> None:
    """Enter the box's user namespace (and net, IPC, UTS, cgroup, mount copies).

    The worker must have one thread.  Afterwards it is ``plan.uid`` inside,
    which maps to ``host_ids`` on the host (root grader: its slot's uid, see
    :mod:`grader.box.slots`) or to the grader's own uid (ordinary user).
    """
    if plan.namespaces == "root" or host_ids is not None:
        # root: the slot's uid on the host; an ordinary user's server: a subordinate id
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


def _write_maps(uid_map: str | None, gid_map: str | None) -> None:
    """Write the maps given (None: leave that one); an unprivileged gid map needs
    ``setgroups`` denied first."""
    if gid_map is not None:
        with open("/proc/self/setgroups", "w") as handle:
            handle.write("deny")
    if uid_map is not None:
        with open("/proc/self/uid_map", "w") as handle:
            handle.write(uid_map)
    if gid_map is not None:
        with open("/proc/self/gid_map", "w") as handle:
            handle.write(gid_map)
