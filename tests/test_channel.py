"""Reading a worker's answer: whole messages only, by a deadline, of a bounded size.

The channel is in the student's hands (fd 3 of the worker), so what arrives on
it may be half a message, a lie about its length, or nothing at all.
"""
import os
import socket
import struct
import threading
import time
from multiprocessing.connection import Connection

import pytest

from grader import config
from grader.errors import StudentTimeout, WorkerCrashed
from grader.sandbox import Sandbox, _Late, read_message
from grader.student import Student


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_message_sent_by_send_bytes_is_read_whole(pair):
    ours, theirs = pair
    payload = bytes(range(256)) * 4096   # 1 MiB: more than one read
    sender = threading.Thread(target=lambda: Connection(os.dup(theirs.fileno()),
                                                        readable=False).send_bytes(payload))
    sender.start()
    got = read_message(ours.fileno(), time.monotonic() + 10, 2 << 20)
    sender.join()
    assert bytes(got) == payload


def test_the_long_length_form_is_understood(pair):
    ours, theirs = pair
    theirs.sendall(struct.pack("!i", -1) + struct.pack("!Q", 5) + b"hello")
    assert bytes(read_message(ours.fileno(), time.monotonic() + 5, 100)) == b"hello"


def test_half_a_message_ends_at_the_deadline(pair):
    ours, theirs = pair
    theirs.sendall(struct.pack("!i", 1000) + b"x" * 10)
    started = time.monotonic()
    with pytest.raises(_Late):
        read_message(ours.fileno(), started + 0.3, 10_000)
    assert 0.25 < time.monotonic() - started < 3


@pytest.mark.parametrize("header", [struct.pack("!i", 1 << 30), struct.pack("!i", -7),
                                    struct.pack("!i", -1) + struct.pack("!Q", 1 << 40)])
def test_a_length_over_the_cap_or_negative_is_refused(pair, header):
    ours, theirs = pair
    theirs.sendall(header)
    with pytest.raises(OSError, match="bad message length"):
        read_message(ours.fileno(), time.monotonic() + 5, 1 << 20)


def test_a_closed_channel_is_end_of_file(pair):
    ours, theirs = pair
    theirs.sendall(struct.pack("!i", 100) + b"abc")
    theirs.close()
    with pytest.raises(EOFError):
        read_message(ours.fileno(), time.monotonic() + 5, 1000)


HALF_ANSWER = '''
import os, struct, time
def half(x):
    os.write(3, struct.pack("!i", 1000) + b"x" * 10)   # the worker's channel
    time.sleep(60)
def liar(x):
    os.write(3, struct.pack("!i", 1 << 30))
    time.sleep(60)
def fine(x):
    return x + 1
'''


@pytest.fixture
def student(monkeypatch):
    monkeypatch.setattr(config, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(config, "RECEIVE_GRACE_S", 0.5)
    box = Sandbox([{"code": HALF_ANSWER, "filename": "sub.py", "label": "sub.py"}], {"f": []})
    s = Student(box)
    s.component = "f"
    yield s
    box.close()


def test_a_worker_that_stops_mid_answer_is_a_timeout_and_is_replaced(student):
    import torch
    student.call("fine", torch.ones(2))    # the worker is up: what follows is the call's time
    started = time.monotonic()
    with pytest.raises(StudentTimeout, match="never finished"):
        student.call("half", torch.ones(2))
    assert time.monotonic() - started < 1.0 + 0.5 + 4   # limit + grace + a loaded machine
    assert student.sandbox.process is None            # the worker was killed
    assert torch.equal(student.call("fine", torch.ones(2)), torch.full((2,), 2.0))


def test_a_worker_that_announces_a_huge_answer_is_a_crash_not_an_allocation(student):
    import torch
    with pytest.raises(WorkerCrashed):
        student.call("liar", torch.ones(2))
    assert student.sandbox.process is None
    assert torch.equal(student.call("fine", torch.ones(2)), torch.full((2,), 2.0))


@pytest.mark.parametrize("shape", [[1 << 32, 1 << 32], [1 << 62, 4], [3, 1 << 61]])
def test_a_tensor_whose_shape_wraps_around_64_bits_is_refused(shape):
    """The element count is exact: 2**64 elements must not pass as 0 bytes."""
    from grader import wire
    message = wire.pack({"x": {"$tensor": 0, "dtype": "float64", "shape": shape,
                               "device": "cpu", "requires_grad": False,
                               "parameter": False}}, [b""])
    header, blobs = wire.unpack(message)
    with pytest.raises(wire.WireError, match="wrong size|bad tensor description"):
        wire.decode(header["x"], blobs)
