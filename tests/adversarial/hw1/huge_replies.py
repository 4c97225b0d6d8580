"""Answers every call with a 240 MiB tensor.

The scorer decodes each answer, compares it, and hypothesis keeps failing
examples while it shrinks: one scorer reached 6.4 GB for this submission
(an honest one: 0.3 GB), so a few such students at once, one per scorer,
exhaust the grading machine. A reply larger than any honest one (the
references' largest is 1.6 MB) is refused before it is read.
"""
# component: softmax
# expect-score: 0
# expect-check-status: crashed
import torch


def softmax(X):
    return torch.zeros(60 << 20, dtype=torch.float32)
