"""One unprivileged uid per live worker, as isolate gives each box its own.

A grader run as root makes every worker ``BASE + slot`` (uid and gid) on the
host, so two boxes, even of two batches at once, own nothing in common: one
cannot signal, trace or read the other's processes and files, also without
namespaces (reduced isolation).  A slot is reserved with an exclusive
``flock`` on ``<folder>/<slot>`` that the fork server holds from the fork
until it reaps the worker; every grader on the machine shares the folder, and
the kernel drops a dead server's locks (its workers die with it).  Taking a
slot costs an ``open`` and a ``flock`` per busy slot tried (microseconds).
"""
import fcntl
import os
import stat
from dataclasses import dataclass


@dataclass
class Slot:
    number: int
    ids: tuple[int, int]   # (uid, gid) on the host
    fd: int

    def close(self) -> None:
        """Close this copy; the lock goes with the last copy (never LOCK_UN: shared)."""
        try:
            os.close(self.fd)
        except OSError:
            pass


class Slots:
    def __init__(self, folder: str, count: int, base: int):
        self.folder, self.count, self.base = folder, count, base
        self.next = 0   # where to look first: the slot after the last one taken

    def take(self) -> Slot | None:
        """A free slot, locked; None when all are busy."""
        for offset in range(self.count):
            number = (self.next + offset) % self.count
            fd = os.open(os.path.join(self.folder, str(number)),
                         os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.next = number + 1
            return Slot(number, (self.base + number,) * 2, fd)
        return None


def lock_folder(folder: str) -> str:
    """``folder``, created for root alone; "" where it cannot be trusted or made.

    It must be root's and closed to others: anyone who could write in it could
    hold slots or swap the files.
    """
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return ""
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        return ""
    return folder
