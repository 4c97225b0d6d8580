"""The scoring side's reading of a worker's replies: the worker is the student's process.

A grader failure is left out of the score and of the maximum, so nothing a
worker can send may turn into one: not an error whose kind names the
grader, not a result of another shape, not a tensor its encoder cannot copy.
(``tests/adversarial/hw1/grader_error_forged.py`` does this end to end.)
"""
import pytest
import torch

from grader import sandbox, wire
from grader.errors import StudentError, WorkerCrashed


class _Closed(sandbox.Sandbox):
    """A sandbox with no worker: ``_result`` alone, as a request would call it."""

    def __init__(self):
        super().__init__([], {})


def _reply(header: dict, blobs=()):
    return wire.unpack(wire.pack(header, list(blobs)))


@pytest.mark.parametrize("error", [{"kind": "harness", "type": "KeyError", "message": "x"},
                                   {"kind": "anything else"}, {}])
def test_an_error_the_worker_blames_on_the_grader_is_a_counted_crash(error):
    header, blobs = _reply({"ok": False, "error": error, "banned": []})
    with pytest.raises(WorkerCrashed, match="outside your functions"):
        _Closed()._result(header, blobs, "call")


def test_the_students_own_exception_stays_a_failure_of_its_code():
    header, blobs = _reply({"ok": False, "banned": [],
                            "error": {"kind": "student", "type": "ValueError", "message": "m"}})
    with pytest.raises(StudentError):
        _Closed()._result(header, blobs, "call")


@pytest.mark.parametrize("reply", [
    {"ok": True, "result": 5},                                     # not the result of a call
    {"ok": True, "result": {"$dict": {}}},                         # no output
    {"ok": True, "result": {"$dict": {"output": None, "grads": 3}}},
    {"ok": True, "result": {"$dict": {"output": None}}, "banned": "softmax"},
    {"ok": True, "result": {"$dict": {"output": None}}, "tampered": [{"x": 1}]},
    {"ok": "yes", "result": {"$dict": {"output": None}}},
    {"ok": False, "error": ["harness"]},
    {"ok": True, "result": {"$tensor": None, "dtype": "float32", "shape": [0, 1 << 40],
                            "device": "meta", "requires_grad": False, "parameter": False}},
    {"ok": True, "result": {"$dict": {"output": {
        "$tensor": None, "dtype": "float32", "shape": [2], "device": "cuda:0; rm -rf",
        "requires_grad": False, "parameter": False}}}},
    {"ok": True, "result": {"$dict": {"output": {
        "$tensor": None, "dtype": "float32", "shape": [1] * 40, "device": "meta",
        "requires_grad": False, "parameter": False}}}},
])
def test_a_reply_of_another_shape_is_a_counted_crash(reply):
    header, blobs = _reply(reply)
    with pytest.raises(WorkerCrashed, match="unreadable answer"):
        _Closed()._result(header, blobs, "call")


def test_an_honest_reply_passes():
    blobs: list = []
    result = wire.encode({"output": torch.ones(2), "grads": [None], "no_graph": True}, blobs)
    header, raw = _reply({"ok": True, "result": result, "banned": [], "tampered": [],
                          "notes": [], "poisoned": False}, blobs)
    out = _Closed()._result(header, raw, "call")
    assert torch.equal(out["result"]["output"], torch.ones(2)) and out["infos"][0]["device"] == "cpu"


@pytest.mark.parametrize("make", [lambda x: x.to_sparse(), lambda x: x.to_sparse_csr(),
                                  lambda x: torch.nested.nested_tensor([x, x]),
                                  lambda x: x.to_mkldnn()])
def test_a_tensor_the_encoder_cannot_copy_is_a_wrong_type_not_an_exception(make):
    value = make(torch.zeros(2, 2))
    assert wire.decode(wire.encode(value, []), []) .endswith("(only dense tensors are graded)")


@pytest.mark.parametrize("shape", [[0, 1 << 40], [1 << 40], [0, 1 << 20, 1 << 20]])
def test_a_shape_no_honest_output_has_is_refused_before_a_check_allocates_for_it(shape):
    """Empty or on the meta device, a (0, 2**40) tensor is cheap; a check reducing over
    its first dimension would ask the scoring process for 2**40 numbers."""
    for device in ("cpu", "meta") if 0 in shape else ("meta",):
        value = torch.empty(shape, device=device)
        blobs: list = []
        header, raw = _reply({"ok": True, "result": wire.encode({"output": value}, blobs)},
                             blobs)
        with pytest.raises(WorkerCrashed, match="unreadable answer"):
            _Closed()._result(header, raw, "call")
