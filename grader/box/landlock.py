"""Landlock through ctypes: file, TCP and scope rules any process may add.

Used where namespaces are missing (Docker's default profile, Colab) as the
file view's allow-list, and everywhere for what namespaces do not cover:
signals and abstract Unix sockets outside the worker's own domain (ABI 6).
The PyPI ``landlock`` package handles file rights only, hence ctypes.
"""
import ctypes
import os

from grader.box import kernel

READ = 1 | 4 | 8                   # EXECUTE, READ_FILE, READ_DIR
WRITE_FILE, TRUNCATE = 2, 1 << 14
WRITE = WRITE_FILE | 16 | 32 | 128 | 256 | 512 | 1024 | 4096 | 8192  # write, remove, make, refer
FILE_RIGHTS = 1 | 2 | 4 | TRUNCATE
HANDLED = {1: (1 << 13) - 1, 2: (1 << 14) - 1}   # ABI -> file rights (IOCTL_DEV left alone)
TCP_BIND, TCP_CONNECT = 1, 2
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1, 2


class _Ruleset(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi() -> int:
    """Landlock ABI version of this kernel; 0 without Landlock."""
    if kernel.libc() is None:
        return 0
    version = kernel.libc().syscall(kernel.SYS_LANDLOCK_CREATE_RULESET, None, 0, 1)
    return max(version, 0)


def restrict(version: int, readable: list[str], writable: list[str]) -> None:
    """Allow reading ``readable``, writing ``writable``, no TCP, nothing outside our domain.

    Needs ``no_new_privs`` (set by :func:`grader.box.identity.drop_capabilities`).
    """
    handled = HANDLED.get(version, (1 << 15) - 1)
    attr = _Ruleset(handled, TCP_BIND | TCP_CONNECT if version >= 4 else 0,
                    SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL if version >= 6 else 0)
    size = 8 if version < 4 else 16 if version < 6 else 24
    ruleset = kernel.syscall(kernel.SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0)
    try:
        for paths, rights in ((readable, READ), (writable, READ | WRITE | TRUNCATE)):
            for path in paths:
                _allow(ruleset, path, rights & handled)
        kernel.syscall(kernel.SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        kernel.syscall(kernel.SYS_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0)
    finally:
        os.close(fd)
