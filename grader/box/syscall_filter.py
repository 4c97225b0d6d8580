"""The seccomp filter: system calls student code never needs.

Compiled once with libseccomp (PyPI ``pyseccomp``) in the fork server and
exported as a BPF program; each worker loads the bytes with one ``prctl``
(about 50 us).  Default allow, so torch keeps its threads; denied are the
calls that change namespaces or mounts, reach into other processes, create
processes or sockets, open kernel attack surface, or hold memory that no
rlimit counts.  Other architectures' calls (32-bit ``int 0x80``) kill the
process (libseccomp's default).

Memory outside the address-space limit: pages of a memfd, of SysV shared
memory or message queues are file or kernel pages, not the process's
address space, so ``RLIMIT_AS`` does not see them; without a memory cgroup
nothing would (3.3 GiB were taken through memfds).  Neither Python, torch
nor the worker creates any (checked with ``strace`` on a whole grading), so
they are denied.  SysV objects would also outlive the worker where it shares
the host's IPC namespace (reduced isolation).
"""
import errno
import socket
import tempfile

from grader.box import kernel

DENIED = (
    "mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "mount_setattr",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "swapon", "swapoff", "reboot",
    "syslog", "acct", "quotactl", "uselib", "lookup_dcookie", "vhangup",
    # memory that RLIMIT_AS does not count (see above)
    "memfd_create", "memfd_secret", "shmget", "msgget", "mq_open",
    # the rest of SysV IPC: without an IPC namespace of its own (reduced isolation) a
    # semaphore set outlives the worker and counts against the host's limits, and
    # these calls reach the host's existing objects by number
    "semget", "semop", "semtimedop", "semctl", "shmat", "shmdt", "shmctl",
    "msgsnd", "msgrcv", "msgctl",
    # descriptors in flight in a Unix socket are out of the work-folder quota's sight
    # (grader.sandbox measures the folder and the worker's open files)
    "sendmsg", "sendmmsg",
)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
TIOCSTI = 0x5412
CLONE_THREAD = 0x00010000


def compile_filter() -> bytes:
    """The filter as a BPF program, or b"" where libseccomp is missing."""
    try:
        import pyseccomp as seccomp
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
    except (ImportError, OSError, RuntimeError):
        return b""
    deny = seccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        try:
            rules.add_rule(deny, name)
        except (ValueError, OSError, RuntimeError):
            pass   # unknown to this libseccomp or kernel: nothing to deny
    for flag in _namespace_bits():
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # seccomp cannot read clone3's flags: say it does not exist, glibc falls back to clone
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # No new sockets at all: the worker's channel is inherited, and a Unix socket could
    # reach a fork server's pathname socket where the file view is not private
    # (reduced isolation). Socket pairs reach nothing outside.
    no_family = seccomp.ERRNO(errno.EAFNOSUPPORT)
    rules.add_rule(no_family, "socket")
    rules.add_rule(no_family, "socketpair", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    # No new processes, only threads: homework has no use for them, and a child would
    # compute out of the watch's sight, outlive the box where there is no PID
    # namespace, or multiply where there is no pids cgroup.
    rules.add_rule(deny, "fork")
    rules.add_rule(deny, "vfork")
    rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    rules.add_rule(deny, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
    # A worker that is not dumpable hides its /proc/<pid>/fd and maps from an ordinary
    # user's scorer, which reads them for the work-folder quota.
    rules.add_rule(deny, "prctl", seccomp.Arg(0, seccomp.EQ, PR_SET_DUMPABLE))
    # The worker dies with its parent (grader.box.jail): student code must not undo it.
    rules.add_rule(deny, "prctl", seccomp.Arg(0, seccomp.EQ, PR_SET_PDEATHSIG))
    with tempfile.TemporaryFile() as handle:
        rules.export_bpf(handle)
        handle.seek(0)
        return handle.read()


def load(program: bytes) -> None:
    kernel.load_seccomp(program)


def _namespace_bits() -> list[int]:
    return [bit for bit in (1 << i for i in range(32)) if bit & kernel.NAMESPACE_FLAGS]
