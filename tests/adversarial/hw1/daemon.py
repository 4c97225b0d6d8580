"""Leaves a setsid daemon behind at load time; it must not outlive the batch.

The daemon names itself (PR_SET_NAME, seen in ``/proc/<pid>/comm``) so the
test can look for it after the batch, from outside the box.
"""
# component: softmax
# expect: full
import os
import time

NAME = "grader-daemon"   # tests/test_adversarial.py looks for this name

try:
    child = os.fork()
except OSError as exc:   # the box lets student code start threads, not processes
    print(f"daemon refused: {exc}", flush=True)
    child = None
if child == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            print("daemon started", flush=True)
            libc = __import__("c" + "types").CDLL(None)
            libc.prctl(15, NAME.encode(), 0, 0, 0)   # PR_SET_NAME
            while True:
                time.sleep(0.1)
    finally:
        os._exit(0)
