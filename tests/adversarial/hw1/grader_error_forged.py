"""Makes every check of softmax look like a failure of the grader itself.

A check the grader fails on is left out of the score *and* of the maximum,
so a do-nothing softmax whose every check "errors" read 0 / 0, status "all
checks pass". Two ways in, both from the student's process: a result the
worker's encoder cannot copy (a sparse tensor) and an answer whose error
kind says the grader broke. Before the fix: softmax 0 / 0, "full".
Both must be counted failures of the student's code.
"""
# component: softmax
# expect-score: 0
# expect-status: zero
import torch



def softmax(X):
    if X.dim() != 2 or X.shape[0] % 2:   # chosen by the input: the same on every run
        return torch.zeros_like(X).to_sparse()   # the encoder used to raise: "harness"
    raise _GraderLooking("KeyError: 'output'")


class _GraderLooking(Exception):
    pass


# The worker wraps the student's exceptions as the student's; this one claims to be
# the grader's by rewriting the reply on its way out (the channel is in our process).
def _forge_replies():
    import gc
    from multiprocessing.connection import Connection
    for conn in [o for o in gc.get_objects() if type(o) is Connection]:
        real = conn.send_bytes

        def send_bytes(data, real=real):
            data = bytes(data)
            if b"_GraderLooking" in data:
                data = _as_grader_failure(data)
            real(data)
        conn.send_bytes = send_bytes


def _as_grader_failure(data: bytes) -> bytes:
    """The same reply, its error kind changed (MAGIC | u32 length | JSON | blobs)."""
    import struct
    magic, length = struct.unpack_from("<4sI", data)
    head = data[8:8 + length].replace(b'"kind": "student"', b'"kind": "harness"')
    return struct.pack("<4sI", magic, len(head)) + head + data[8 + length:]


_forge_replies()
