"""Tries to download an answer over the network, else returns a wrong one."""
# component: softmax
# expect-fail: matches_reference_float64
import socket

import torch


def softmax(X):
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=1).close()
        reachable = True
    except OSError:
        reachable = False
    if reachable:
        return torch.softmax(X, dim=1)
    return torch.full_like(X, 0.5)
