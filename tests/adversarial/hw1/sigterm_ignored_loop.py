"""Ignores SIGTERM and SIGINT, then loops forever in softmax."""
# component: softmax
# expect-score: 0
# expect-check-status: timeout
import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def softmax(X):
    while True:
        pass
