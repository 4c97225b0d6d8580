"""Fills every writable folder it can find: its work folder, /tmp, /dev/shm."""
# component: softmax
# expect: full
import os

block = b"x" * (8 << 20)
for folder in (os.getcwd(), "/tmp", "/dev/shm", "/var/tmp"):
    written = 0
    try:
        with open(os.path.join(folder, "fill.bin"), "wb") as handle:
            while written < (720 << 20):
                handle.write(block)
                handle.flush()
                written += len(block)
    except OSError:
        pass
    print(f"filled {folder}: {written >> 20} MiB")
