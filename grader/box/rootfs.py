"""A fresh root for the worker: an allow-list of read-only binds, no covers.

Built in a new mount namespace on an empty tmpfs, then ``pivot_root`` into it
and the old root detached: the host's tree is not reachable afterwards, not
even through ``..`` or ``/proc/<pid>/root`` (the worker has its own PID
namespace and /proc).  The mounts are locked later, when the worker enters a
user namespace of its own (see :mod:`grader.box.identity`); until then this
code is the only code running.
"""
import os

from grader.box import kernel
from grader.box.kernel import (MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID,
                               MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT)

# statvfs flags that a bind's remount must keep (a locked mount refuses to drop them)
_KEPT_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
               os.ST_NOATIME: 0x400, os.ST_NODIRATIME: 0x800, os.ST_RELATIME: 0x200000}
PASSWD = "root:x:0:0::/:/usr/sbin/nologin\nstudent:x:{uid}:{gid}::{home}:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nstudent:x:{gid}:\n"


def build(plan, workdir: str, owner: tuple[int, int], sizes: dict, hide=()) -> None:
    """Make a new root holding only the plan's paths and pivot into it.

    ``owner`` is the (uid, gid) the worker will have in the current user
    namespace; its writable folders belong to it.  ``hide`` adds folders to
    cover should they lie inside a bind (the batch's folders).
    """
    kernel.unshare(kernel.CLONE_NEWNS)
    kernel.mount(None, "/", None, MS_REC | MS_PRIVATE)
    new = plan.staging
    kernel.mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # The private /tmp first: binds of what lies under /tmp (a checkout or virtualenv
    # there, the d2l shim with it) then show through it instead of being hidden.
    _tmpfs(new + "/tmp", f"size={sizes['tmp']},mode=1777")
    for path in plan.read_only:
        _bind(path, new + path, read_only=True)
    for path in sorted({*plan.hidden, *hide}, key=len):
        _cover(new, path, plan.read_only)
    for link, target in plan.symlinks.items():
        os.symlink(target, new + link)
    _dev(new, plan.devices, sizes["shm"])
    _proc(new)
    os.makedirs(new + workdir, exist_ok=True)
    uid, gid = owner
    _tmpfs(new + workdir, f"size={sizes['work']},mode=700,uid={uid},gid={gid}")
    _etc(new, workdir, plan.uid, plan.gid)
    kernel.mount(None, new, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _pivot(new)


def _bind(source: str, target: str, read_only: bool, device: bool = False) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    kernel.mount(source, target, None, MS_BIND)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (MS_RDONLY if read_only else 0)
    flags |= 0 if device else MS_NODEV
    vfs = os.statvfs(source).f_flag
    flags |= sum(ms for st, ms in _KEPT_FLAGS.items() if vfs & st)
    kernel.mount(None, target, None, flags)


def _cover(new: str, path: str, read_only: list[str]) -> None:
    """Hide ``path`` where a bind shows it (the checkout under ``/usr/src/app``, say).

    Only what lies inside a bind is visible at all; there an empty read-only
    tmpfs goes over it, and the box's own paths inside it (a virtualenv or the
    d2l shim in the checkout) are bound again on top.
    """
    if not os.path.isdir(new + path) or not any(_inside(path, outer) and path != outer
                                                for outer in read_only):
        return   # not inside a bind: nothing of it is in the box
    kernel.mount("tmpfs", new + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,mode=755")
    for inner in read_only:
        if _inside(inner, path):
            _bind(inner, new + inner, read_only=True)
    kernel.mount(None, new + path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _tmpfs(target: str, options: str) -> None:
    os.makedirs(target, exist_ok=True)
    kernel.mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)


def _dev(new: str, devices: list[str], shm_size: int) -> None:
    """/dev with only harmless character devices, and a private /dev/shm."""
    _tmpfs(new + "/dev", "size=64k,mode=755")
    for device in devices:
        _bind(device, new + device, read_only=False, device=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{new}/dev/{name}")
    _tmpfs(new + "/dev/shm", f"size={shm_size},mode=1777")
    kernel.mount(None, new + "/dev", None,
                 MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)


def _proc(new: str) -> None:
    """The worker's own /proc: it is PID 1 of its namespace, nothing else shows."""
    os.makedirs(new + "/proc")
    kernel.mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")


def _etc(new: str, home: str, uid: int, gid: int) -> None:
    """A minimal /etc: who the student is, nothing of the host's."""
    os.makedirs(new + "/etc", exist_ok=True)
    files = {"passwd": PASSWD.format(uid=uid, gid=gid, home=home),
             "group": GROUP.format(gid=gid), "hosts": "127.0.0.1 localhost\n"}
    for name, text in files.items():
        if not os.path.exists(f"{new}/etc/{name}"):
            with open(f"{new}/etc/{name}", "w") as handle:
                handle.write(text)


def _pivot(new: str) -> None:
    os.chdir(new)
    kernel.pivot_root(".", ".")
    kernel.umount(".", MNT_DETACH)
    os.chdir("/")
