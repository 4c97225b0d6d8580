"""Evasion: F.relu in a thread started with _thread.start_new_thread."""
# component: relu
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import _thread

import torch.nn.functional as F


def relu(X):
    done, out = _thread.allocate_lock(), {}
    done.acquire()

    def work():
        out["y"] = F.relu(X)
        done.release()
    _thread.start_new_thread(work, ())
    done.acquire()
    return out["y"]
