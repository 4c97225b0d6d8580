"""Every call sleeps just under the per-call limit, then answers correctly:
the submission's wall-clock budget must bound it."""
# component: softmax
# expect-score: 0
# pin: no (how far it gets inside its time budget depends on the machine's load)
# expect-check-status: timeout
# others: any
import time

import torch

_reference = {"softmax": softmax, "relu": relu, "cross_entropy": cross_entropy}  # noqa: F821


def _slow(fn):
    def wrapper(*args, **kwargs):
        time.sleep(4.9)
        return fn(*args, **kwargs)
    return wrapper


softmax = _slow(_reference["softmax"])
relu = _slow(_reference["relu"])
cross_entropy = _slow(_reference["cross_entropy"])
