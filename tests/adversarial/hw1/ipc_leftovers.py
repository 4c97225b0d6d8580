"""Leaves SysV semaphore sets behind and probes the host's shared memory.

Without an IPC namespace of its own (reduced isolation: Docker's default
profile, Gradescope) a semaphore set outlives the worker, counts against the
whole machine's limits (32,000 sets: a database on the same host then
cannot start) and is found again by any later box with the same uid; and
``shmat``/``shmctl`` reach the host's existing segments by number. Before the
fix: 200 sets left on the host per submission.
"""
# component: relu
# expect: full
import ctypes

_libc = ctypes.CDLL(None, use_errno=True)
IPC_PRIVATE, IPC_CREAT, IPC_INFO = 0, 0o1000, 3


def _leave_sets():
    made = 0
    for _ in range(200):
        if _libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o666) >= 0:
            made += 1
    print(f"ipc_leftovers: made {made} semaphore sets")
    info = ctypes.create_string_buffer(256)
    reached = [n for n in range(64) if _libc.shmctl(n, 2, info) == 0]   # IPC_STAT by id
    if _libc.shmctl(0, IPC_INFO, info) >= 0:
        reached.append("info")
    print(f"ipc_leftovers: reached {len(reached)} host segments")


_leave_sets()
