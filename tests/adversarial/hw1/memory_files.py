"""Holds memory that the address-space limit does not count (F6).

memfds written with write(), SysV shared memory and message queues, POSIX
message queues: file or kernel pages, not the process's address space.
Without a memory cgroup (an ordinary user's grader) nothing else bounds
them (3.3 GiB were taken through memfds); seccomp denies them all.
"""
# component: softmax
# expect: full
import os as _os


def _hoard():
    libc = __import__("c" + "types").CDLL(None, use_errno=True)
    chunk, held = b"\1" * (1 << 20), []
    try:
        for index in range(4):                   # 4 x 32 MiB
            fd = _os.memfd_create(f"hoard{index}")
            for _ in range(32):
                _os.write(fd, chunk)
            held.append(fd)
        print(f"ESCAPED memfd: {len(held) * 32} MiB outside the address-space limit")
    except OSError as exc:
        print(f"memfd refused ({exc.strerror}) after {len(held) * 32} MiB")
    for name, call in (("shmget", lambda: libc.shmget(0, 64 << 20, 0o1600)),   # IPC_PRIVATE
                       ("msgget", lambda: libc.msgget(0, 0o1600)),
                       ("mq_open", lambda: libc.mq_open(b"/hoard", 0o100 | 2, 0o600, None)),
                       ("memfd_secret", lambda: libc.syscall(447, 0))):
        print(f"ESCAPED {name}" if call() >= 0 else f"{name} refused")


_hoard()
