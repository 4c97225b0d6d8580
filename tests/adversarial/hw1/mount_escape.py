"""As root in its box: unmount everything, mount a fresh /proc, leave the user
namespace, then read the reference and a hidden check and use the reference.

Every step that works prints ESCAPED (the test fails on it); softmax is the
reference's if the reference was read, else NaN everywhere.
"""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
# others: any
import os

import torch

REPO = "@REPO@"   # filled in by tests/test_adversarial.py
c = __import__("c" + "types")
libc = c.CDLL(None, use_errno=True)
libc.syscall.restype = c.c_long
with open("/proc/self/mountinfo") as info:
    points = [line.split()[4] for line in info]
for point in reversed(points):
    for flags in (0, 2):   # plain, MNT_DETACH
        if libc.umount2(point.encode(), flags) == 0:
            print("ESCAPED umount", point)
for target, fstype in (("/proc", b"proc"), ("/tmp", b"tmpfs")):
    if libc.mount(fstype, target.encode(), fstype, 0, None) == 0:
        print("ESCAPED mount", target)
if libc.mount(None, b"/", None, 0x20 | 0x1000, None) == 0:   # remount / read-write
    print("ESCAPED remount /")
_found = {}
for name in ("reference/hw1.py", "grader/checks/hw1/hidden/test_softmax.py",
             "grader/checks/hw1/test_softmax.py", "tests/test_adversarial.py"):
    try:
        with open(os.path.join(REPO, name)) as handle:
            _found[name] = handle.read()
        print("ESCAPED read", name)
    except OSError:
        pass
for flags in (0x10000000, 0x00020000, 0x40000000, 0x20000000):   # USER, NS, NET, PID
    if libc.unshare(flags) == 0:
        print("ESCAPED unshare", hex(flags))
for kind in ("mnt", "net", "pid", "user"):
    try:
        fd = os.open(f"/proc/1/ns/{kind}", os.O_RDONLY)
        if libc.setns(fd, 0) == 0:
            print("ESCAPED setns", kind)
    except OSError:
        pass
if libc.chroot(b"/tmp") == 0:
    print("ESCAPED chroot")
if libc.syscall(155, b"/tmp", b"/tmp") == 0:   # pivot_root
    print("ESCAPED pivot_root")
if os.getuid() == 0 or os.geteuid() == 0:
    print("ESCAPED running as uid 0")
if "reference/hw1.py" in _found:
    exec(_found["reference/hw1.py"])
else:
    def softmax(X):
        return X * float("nan")
