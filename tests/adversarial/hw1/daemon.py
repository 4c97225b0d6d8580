"""Leaves a setsid daemon behind at load time; it must not outlive the batch."""
# component: softmax
# expect: full
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:  # a heartbeat the test watches
            with open("/tmp/grader-adversary-daemon.beat", "w") as handle:
                handle.write(str(time.time()))
            time.sleep(0.1)
    os._exit(0)
