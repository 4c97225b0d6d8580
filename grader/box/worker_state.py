"""Put the worker's global state back before every request.

Runs inside the worker.  Student code can leave torch's process-wide switches
changed: an SGD ``step()`` that turns autograd off and never turns it back on,
a ``torch.set_default_dtype(torch.float64)`` at the top of a notebook,
anomaly mode, another thread count, seeded or drained random generators.
Without a reset the damage lands on whatever check runs next (a softmax
gradient check failing because of SGD, with a hint blaming softmax).  So
every request starts from the state the worker had before any student code
ran (:func:`remember`, called once in the fork server), and each component is
judged on its own code.  Damage done *inside* a request stays there, charged
to the component whose code did it.
"""
import random

import numpy as np
import torch


class _Clean:
    threads = 1


def remember() -> None:
    """Record the clean thread count (call before any student code runs)."""
    _Clean.threads = torch.get_num_threads()


def reset(seed: int) -> None:
    """Restore torch's global switches and seed every random generator with ``seed``."""
    torch.set_grad_enabled(True)
    if torch.get_default_dtype() != torch.float32:
        torch.set_default_dtype(torch.float32)
    torch.set_default_device(None)
    if torch.is_anomaly_enabled():
        torch.autograd.set_detect_anomaly(False)
    if torch.are_deterministic_algorithms_enabled():   # the setter costs 1.5 ms
        torch.use_deterministic_algorithms(False)
    torch.set_flush_denormal(False)
    if torch.get_num_threads() != _Clean.threads:
        torch.set_num_threads(_Clean.threads)
    random.seed(seed)
    np.random.seed(seed % 2**32)
