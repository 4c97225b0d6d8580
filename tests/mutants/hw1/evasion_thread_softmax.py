"""Evasion: torch.softmax computed in a helper thread (the Python modes are thread-local)."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import threading

import torch


def softmax(X):
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("y", torch.softmax(X, dim=1)))
    worker.start()
    worker.join()
    return out["y"]
