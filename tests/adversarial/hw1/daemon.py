"""Leaves a setsid daemon behind at load time; it must not outlive the batch."""
# component: softmax
# expect: full
import os
import time

BEAT = "@HEARTBEAT@"  # filled in by tests/test_adversarial.py (temp folders are private)

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open("/proc/self/cgroup") as groups:  # the test checks this group is gone
            me = [line.split(":", 2)[2].strip() for line in groups if ":pids:" in line]
        while True:  # a heartbeat the test watches
            with open(BEAT, "w") as handle:
                handle.write(f"{me[0] if me else ''}\n{time.time()}")
            time.sleep(0.1)
    os._exit(0)
