"""Starts as many threads as it can (small stacks, so the address-space limit
does not stop them), holds them, then lets them go.

Where no pids cgroup is writable (Docker without a cgroup of its own, an
ordinary user) nothing bounded this: 19,060 threads in the 5 s a top-level
statement may run, on a machine whose pid_max is 32,768, so that two such
students left no pid for any other worker. Every thread is a task of the
kernel however small its stack; the limit must be the kernel's.
"""
# component: relu
# expect: full
import threading

MOST = 64   # config.MAX_PROCESSES: the pids cgroup, else RLIMIT_NPROC


def _bomb():
    release, started = threading.Event(), 0
    threading.stack_size(32768)
    try:
        for _ in range(30000):
            threading.Thread(target=release.wait, daemon=True).start()
            started += 1
    except BaseException:  # noqa: BLE001 - stopped: the point
        pass
    finally:
        release.set()
        threading.stack_size(0)
    print(f"thread_bomb: started {started} threads")
    if started > MOST:
        print(f"ESCAPED thread_bomb: {started} threads, more than {MOST}")


_bomb()
