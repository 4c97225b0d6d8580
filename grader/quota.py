"""The work folder's quota where it lies on the host's disk (reduced isolation).

With namespaces the work folder is a size-capped tmpfs of the box and the
kernel enforces its size.  Without them (Docker's default seccomp profile,
Ubuntu 24.04's AppArmor rule) it is a folder on the host's disk, where
``RLIMIT_FSIZE`` caps one file, not the folder, and no mount is allowed.  So
the scorer, outside the student's process, measures it every
``config.WORK_FOLDER_WATCH_S`` and kills the worker past the quota
(:class:`Watch`); the student sees "work folder quota of N MiB exceeded".

What is counted, so that nothing can be hidden from the measurement:

* every inode under the folder once, whatever its number of hard links, by
  the blocks it holds (``st_blocks``: a sparse file counts what it stores,
  ``fallocate``'d space counts), and every entry as at least one block (an
  empty file still takes an inode);
* files under the folder that the worker deleted but keeps open
  (``/proc/<pid>/fd``) or mapped (``/proc/<pid>/maps``): those it holds open
  are at most ``RLIMIT_NOFILE`` of them; a mapped one whose size cannot be
  read (an ordinary user may not stat ``map_files``) counts as the largest
  file the worker may write;
* descriptors in flight in a Unix socket cannot be made: seccomp denies
  ``sendmsg``; and nothing outside the folder is writable (Landlock).

A part that cannot be read (a folder the student closed, its ``/proc``) is
reopened when we own it, else counts as over the quota: fail closed.  The
worker may overshoot for up to one period before it is stopped (a few tens of
MiB at the disk's write speed; ``tests/test_sandbox.py`` measures it).  One
measurement of a small folder takes about a millisecond; the period grows to
twice a measurement's time when the folder holds many files.
"""
import os
import shutil
import signal
import stat
import threading
import time
from dataclasses import dataclass

BLOCK = 512        # the unit of st_blocks
MIN_ENTRY = 4096   # what an empty file or folder is counted as


class Unmeasurable(Exception):
    """Part of the work folder or of the worker's open files could not be read."""


@dataclass
class Usage:
    bytes: int = 0
    entries: int = 0


def measure(folder: str, pid: int | None, unknown_file_bytes: int) -> Usage:
    """Disk space the worker holds under ``folder``: its tree and its deleted files."""
    usage, seen = Usage(), set()
    _walk(folder, usage, seen)
    if pid is not None:
        _held_open(folder, pid, usage, seen)
        _mapped(folder, pid, usage, seen, unknown_file_bytes)
    return usage


def _count(info: os.stat_result, usage: Usage, seen: set) -> None:
    key = (info.st_dev, info.st_ino)
    if key not in seen:
        seen.add(key)
        usage.entries += 1
        usage.bytes += max(info.st_blocks * BLOCK, MIN_ENTRY)


def _walk(folder: str, usage: Usage, seen: set) -> None:
    stack = [folder]
    while stack:
        path = stack.pop()
        for entry in _entries(path):
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue   # deleted meanwhile: seen through /proc if still held
            _count(info, usage, seen)
            if stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)


def _entries(path: str) -> list:
    """A folder's entries; one the student closed is reopened (we own it) or fails."""
    for attempt in range(2):
        try:
            with os.scandir(path) as entries:
                return list(entries)
        except FileNotFoundError:
            return []
        except PermissionError:
            if attempt:
                raise Unmeasurable(f"cannot read {path}") from None
            try:
                reopen_folder(path)
            except OSError:
                raise Unmeasurable(f"cannot read {path}") from None
    return []


def reopen_folder(path: str) -> None:
    """``chmod 0700`` a folder of the work folder, never what a link there points at.

    The worker runs while we measure: between our look at ``path`` and the
    ``chmod`` it can swap the folder for a symlink to a file of ours.  The
    folder is opened without following links, then changed through that
    descriptor (``O_PATH``: a closed folder cannot be opened for reading).
    """
    fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.chmod(f"/proc/self/fd/{fd}", 0o700)
    finally:
        os.close(fd)


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip("/") + "/")


def _held_open(folder: str, pid: int, usage: Usage, seen: set) -> None:
    fds = f"/proc/{pid}/fd"
    for name in _proc_list(fds):
        try:
            if _inside(os.readlink(f"{fds}/{name}"), folder):
                _count(os.stat(f"{fds}/{name}"), usage, seen)
        except FileNotFoundError:
            continue   # closed meanwhile
        except PermissionError:
            raise Unmeasurable(f"cannot read {fds}") from None


def _mapped(folder: str, pid: int, usage: Usage, seen: set, unknown_file_bytes: int) -> None:
    try:
        with open(f"/proc/{pid}/maps", "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return   # the worker is gone
    except PermissionError:
        raise Unmeasurable(f"cannot read /proc/{pid}/maps") from None
    prefix = folder.rstrip("/").encode() + b"/"
    if prefix not in data:
        return   # the usual case: a search, not a parse of torch's thousands of lines
    for line in data.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or not fields[5].startswith(prefix):
            continue
        major, minor = (int(part, 16) for part in fields[3].split(b":"))
        key = (os.makedev(major, minor), int(fields[4]))
        if key in seen:
            continue
        try:
            _count(os.stat(f"/proc/{pid}/map_files/{fields[0].decode()}"), usage, seen)
        except FileNotFoundError:
            continue   # unmapped meanwhile
        except PermissionError:   # not root: its size is unknown, count the largest
            seen.add(key)
            usage.entries += 1
            usage.bytes += unknown_file_bytes


def _proc_list(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except FileNotFoundError:
        return []   # the worker is gone
    except PermissionError:
        raise Unmeasurable(f"cannot read {path}") from None


def remove(folder: str) -> None:
    """Remove the work folder, also the parts a student closed (chmod 0) to keep them."""
    reopened = set()

    def reopen(function, path, _):
        if path in reopened:
            return   # reopening did not help: leave it
        reopened.add(path)
        try:
            reopen_folder(os.path.dirname(path))
            if not os.path.islink(path):   # chmod follows links: a student's, to a host file
                reopen_folder(path) if os.path.isdir(path) else os.chmod(path, 0o700)
        except OSError:
            return
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=reopen)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    shutil.rmtree(folder, onerror=reopen)


class Watch:
    """Measures a worker's work folder from the scoring process; kills it past the quota.

    ``exceeded`` then says why, in words for the student.  The worker is
    killed through a pidfd, so a pid reused after it ended is never hit; it
    has no children to kill (seccomp: no new processes).
    """

    def __init__(self, folder: str, pid: int, limits: dict, period_s: float):
        self.folder, self.pid = folder, pid
        try:
            self._pidfd = os.pidfd_open(pid)
        except (OSError, AttributeError):   # gone already, or a kernel before 5.3
            self._pidfd = None
        self.active = self._pidfd is not None
        self.max_bytes, self.max_entries = limits["work_folder"], limits["work_folder_files"]
        self.unknown_file_bytes = limits["file_size"]
        self.period_s = period_s
        self.exceeded: str | None = None
        self.peak = Usage()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="work-folder-quota", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def _run(self) -> None:
        wait = self.period_s
        while self._pidfd is not None and not self._stop.wait(wait):
            started = time.monotonic()
            self.exceeded = self.check()
            # a folder of many files takes long to walk: the scorer keeps two thirds of its time
            wait = max(self.period_s, 2 * (time.monotonic() - started))
            if self.exceeded:
                try:
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                except OSError:
                    pass   # it ended on its own
                return

    def check(self) -> str | None:
        """Why the worker is over its quota, or None."""
        try:
            usage = measure(self.folder, self.pid, self.unknown_file_bytes)
        except Unmeasurable as exc:
            return (f"work folder quota of {self.max_bytes >> 20} MiB: the folder could not "
                    f"be measured ({exc}); do not change its permissions")
        self.peak = Usage(max(self.peak.bytes, usage.bytes), max(self.peak.entries, usage.entries))
        if usage.bytes > self.max_bytes:
            return (f"work folder quota of {self.max_bytes >> 20} MiB exceeded "
                    f"({usage.bytes >> 20} MiB in {usage.entries} files, deleted files still "
                    "open included); write less to disk")
        if usage.entries > self.max_entries:
            return (f"work folder quota of {self.max_entries} files exceeded "
                    f"({usage.entries} files); write fewer files")
        return None
