"""The few Linux system calls the standard library lacks, through ctypes.

Each wrapper raises :class:`OSError` with the kernel's errno, like ``os``
functions do, so callers handle failures one way.
"""
import ctypes
import os

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER = 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
NAMESPACE_FLAGS = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
                   | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
MNT_DETACH = 0x2

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS = 1, 4, 8
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2

SYS_PIVOT_ROOT, SYS_CAPGET, SYS_CAPSET, SYS_SETNS = 155, 125, 126, 308      # x86_64
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
if os.uname().machine == "aarch64":
    SYS_PIVOT_ROOT, SYS_CAPGET, SYS_CAPSET, SYS_SETNS = 41, 90, 91, 268

_libc = None


def libc():
    """The C library, or None where there is none to call (not Linux)."""
    global _libc
    if _libc is None and os.path.exists("/proc/self/ns"):
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> int:
    if result == -1:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
    return result


def unshare(flags: int) -> None:
    _check(libc().unshare(flags), "unshare")


def setns(fd: int, kind: int) -> None:
    _check(libc().syscall(SYS_SETNS, fd, kind), "setns")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(libc().mount(enc(source), target.encode(), enc(fstype), ctypes.c_ulong(flags),
                        enc(data)), f"mount {target}")


def umount(target: str, flags: int = 0) -> None:
    _check(libc().umount2(target.encode(), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(libc().syscall(SYS_PIVOT_ROOT, new_root.encode(), put_old.encode()), "pivot_root")


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    return _check(libc().prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), 0, 0),
                  f"prctl {option}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def capset(effective: int, permitted: int, inheritable: int = 0) -> None:
    """Set this thread's capability sets (64-bit masks)."""
    header = _CapHeader(0x20080522, 0)   # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    for index in range(2):
        shift = 32 * index
        data[index] = _CapData((effective >> shift) & 0xFFFFFFFF,
                               (permitted >> shift) & 0xFFFFFFFF,
                               (inheritable >> shift) & 0xFFFFFFFF)
    _check(libc().syscall(SYS_CAPSET, ctypes.byref(header), data), "capset")


def capget_permitted() -> int:
    """This thread's permitted capabilities as a 64-bit mask."""
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    _check(libc().syscall(SYS_CAPGET, ctypes.byref(header), data), "capget")
    return data[0].permitted | (data[1].permitted << 32)


def last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as handle:
            return int(handle.read())
    except OSError:
        return 40


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(program: bytes) -> None:
    """Install a classic BPF seccomp program (8-byte instructions)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _check(libc().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0),
           "seccomp")


def syscall(number: int, *args) -> int:
    return _check(libc().syscall(number, *args), f"syscall {number}")
