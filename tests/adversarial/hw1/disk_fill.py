"""Fills every writable folder it can find: its work folder, /tmp, /dev/shm."""
# component: softmax
# expect: full
import os

block = b"x" * (8 << 20)
for folder in (os.getcwd(), "/tmp", "/dev/shm", "/var/tmp"):
    written = 0
    try:
        for index in range(12):   # many files: a per-file size limit is no quota
            with open(os.path.join(folder, f"fill{index}.bin"), "wb") as handle:
                for _ in range(8):
                    handle.write(block)
                    handle.flush()
                    written += len(block)
    except OSError:
        pass
    print(f"filled {folder}: {written >> 20} MiB")
