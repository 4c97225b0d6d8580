"""Fills its work folder in ways a folder walk would miss, then answers correctly.

Hard links (one inode, several names), files deleted but kept open, files
deleted but kept mapped, a folder closed to everyone: 40 x 16 MiB in all.
In the box the folder is a 64 MiB tmpfs (writes fail, softmax keeps its
marks); without namespaces (tests/test_sandbox.py) the scorer's quota watch
must count all of it and stop the worker soon after 64 MiB.
"""
# component: softmax
# expect: full
import mmap as _mmap
import os as _os

_HELD = []
_softmax = softmax


def _fill():
    block = b"x" * (1 << 20)
    total = 0
    _os.makedirs("closed", exist_ok=True)
    for index in range(40):
        name = f"closed/f{index}.bin" if index % 5 == 4 else f"f{index}.bin"
        try:
            _os.chmod("closed", 0o700)
            fd = _os.open(name, _os.O_RDWR | _os.O_CREAT, 0o600)
            for _ in range(16):
                _os.write(fd, block)
            if index % 5 == 0:
                _os.link(name, f"link{index}.bin")     # counted once
            elif index % 5 == 1:
                _os.unlink(name)                       # deleted, kept open
                _HELD.append(fd)
                fd = None
            elif index % 5 == 2:
                _HELD.append(_mmap.mmap(fd, 0))        # deleted, kept mapped
                _os.unlink(name)
            elif index % 5 == 4:
                _os.chmod("closed", 0)                 # closed to the scorer
            if fd is not None:
                _os.close(fd)
        except OSError as exc:
            print(f"stopped by the kernel: {exc.strerror}", flush=True)
            return
        total += 16
        print(f"written {total} MiB", flush=True)


def softmax(X):
    if not _HELD:
        _HELD.append(None)
        _fill()
    return _softmax(X)
