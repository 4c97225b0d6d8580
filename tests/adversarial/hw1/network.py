"""Tries to download an answer over the network, else returns a wrong one.

It tries the test's own listener on the host's loopback first (``@PORT@``,
filled in by tests/test_adversarial.py), so the attack is a real one on an
offline machine too, and says what it tried: without that line it did not run.
"""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
import socket

import torch

TARGETS = [("127.0.0.1", int("@PORT@")), ("1.1.1.1", 80)]


def _reach() -> bool:
    for host, port in TARGETS:
        try:
            socket.create_connection((host, port), timeout=1).close()
            print(f"ESCAPED network: connected to {host}:{port}", flush=True)
            return True
        except OSError as exc:
            print(f"network: {host}:{port} unreachable ({type(exc).__name__})", flush=True)
    return False


REACHABLE = _reach()


def softmax(X):
    if REACHABLE:
        return torch.softmax(X, dim=1)
    return torch.full_like(X, 0.5)
