"""The wire format: only JSON and raw numbers cross, and bad messages are refused."""
import pytest
import torch

from grader import wire


def roundtrip(value):
    blobs = []
    message = wire.pack({"v": wire.encode(value, blobs)}, blobs)
    header, out_blobs = wire.unpack(message)
    infos = []
    return wire.decode(header["v"], out_blobs, infos), infos


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.int64, torch.bool])
def test_tensors_roundtrip_exactly(dtype):
    t = (torch.arange(12).reshape(3, 4) % 3).to(dtype)
    back, infos = roundtrip(t)
    assert back.dtype == dtype and torch.equal(back, t)
    assert infos[0]["device"] == "cpu" and infos[0]["shape"] == (3, 4)


def test_nested_values_and_scalars():
    back, _ = roundtrip({"a": [1, 2.5, None, (True, "x")], "t": torch.ones(2)})
    assert back["a"] == [1, 2.5, None, (True, "x")]
    assert torch.equal(back["t"], torch.ones(2))


def test_meta_tensors_carry_only_shape():
    back, infos = roundtrip(torch.empty(2, 3, device="meta", dtype=torch.float64))
    assert back.device.type == "meta" and back.shape == (2, 3)
    assert infos[0]["device"] == "meta"


def test_tensor_subclasses_and_objects_become_foreign():
    class Sneaky(torch.Tensor):
        pass

    class FakeEq:
        def __eq__(self, other):
            return True

    sub, _ = roundtrip(torch.ones(2).as_subclass(Sneaky))
    obj, _ = roundtrip(FakeEq())
    assert isinstance(sub, wire.Foreign) and "Sneaky" in sub
    assert isinstance(obj, wire.Foreign) and "FakeEq" in obj


def test_parameters_are_flagged():
    _, infos = roundtrip(torch.nn.Parameter(torch.zeros(2)))
    assert infos[0]["parameter"] is True


@pytest.mark.parametrize("message", [b"", b"XXXX\x00\x00\x00\x00", b"GRW1\xff\x00\x00\x00{}"])
def test_malformed_messages_are_refused(message):
    with pytest.raises(wire.WireError):
        wire.unpack(message)


def test_buffer_of_wrong_size_is_refused():
    blobs = []
    tree = wire.encode(torch.ones(4, dtype=torch.float64), blobs)
    header, out_blobs = wire.unpack(wire.pack({"v": tree}, [blobs[0][:8]]))
    with pytest.raises(wire.WireError):
        wire.decode(header["v"], out_blobs)


def test_unknown_dtype_is_refused():
    with pytest.raises(wire.WireError):
        wire.decode({"$tensor": 0, "dtype": "object", "shape": [1], "device": "cpu",
                     "requires_grad": False, "parameter": False}, [memoryview(b"12345678")])


def test_hostile_headers_are_refused_as_wire_errors():
    """A reply built to exhaust the scorer: huge, deeply nested, or a giant integer."""
    import struct
    for head in (b"[" * 100_000 + b"]" * 100_000,            # deeper than the parser goes
                 b'{"n": ' + b"9" * 6000 + b"}",               # more digits than int() takes
                 b'{"pad": "' + b"x" * (wire.MAX_HEADER_BYTES + 1) + b'"}'):   # too big
        message = wire.MAGIC + struct.pack("<I", len(head)) + head
        with pytest.raises(wire.WireError):
            wire.unpack(message)


def _with_blobs(entries, body: bytes) -> bytes:
    import json
    import struct
    head = json.dumps({"v": None, "$blobs": entries}).encode()
    return wire.MAGIC + struct.pack("<I", len(head)) + head + body


@pytest.mark.parametrize("entries", [[[0, 9]], [[4, 5]], [[-8, 8]], [[0, -1]], [[9, 0]],
                                     [[0, 4], [4, 8]]])
def test_buffers_outside_the_message_are_refused_when_unpacked(entries):
    """Checked where the offsets are read, not left to a later size check."""
    with pytest.raises(wire.WireError, match="out of bounds"):
        wire.unpack(_with_blobs(entries, b"12345678"))


def test_buffers_inside_the_message_are_cut_exactly():
    header, blobs = wire.unpack(_with_blobs([[0, 3], [3, 5], [8, 0]], b"12345678"))
    assert [bytes(b) for b in blobs] == [b"123", b"45678", b""] and header == {"v": None}


@pytest.mark.parametrize("entry", [[0], [0, 1, 2], "0,1", [0.0, 1], [True, 1], None])
def test_malformed_buffer_entries_are_refused(entry):
    with pytest.raises(wire.WireError, match="bad buffer entry"):
        wire.unpack(_with_blobs([entry], b"12345678"))


def test_a_foreign_object_names_its_type():
    foreign = wire.Foreign("mymodule.Fake")
    assert repr(foreign) == "<object of type mymodule.Fake>" and foreign == "mymodule.Fake"


# --- exact decoding: values, metadata and refusals ------------------------------------

def test_several_tensors_nested_come_back_in_order_with_their_metadata():
    a = torch.arange(6, dtype=torch.float32).reshape(2, 3).requires_grad_()
    b = torch.tensor([7, 8], dtype=torch.int64)
    back, infos = roundtrip({"outer": [a, (b, torch.zeros(0, 3))]})
    got_a, (got_b, empty) = back["outer"]
    assert torch.equal(got_a, a.detach()) and torch.equal(got_b, b) and empty.shape == (0, 3)
    assert [dict(i) for i in infos] == [
        {"dtype": "float32", "shape": (2, 3), "device": "cpu", "requires_grad": True,
         "parameter": False},
        {"dtype": "int64", "shape": (2,), "device": "cpu", "requires_grad": False,
         "parameter": False},
        {"dtype": "float32", "shape": (0, 3), "device": "cpu", "requires_grad": False,
         "parameter": False}]


def test_a_dtype_outside_the_list_is_sent_as_float64_and_says_so():
    t = torch.tensor([1.5, -2.25], dtype=torch.bfloat16)
    back, infos = roundtrip(t)
    assert back.dtype == torch.float64 and back.tolist() == [1.5, -2.25]
    assert infos[0]["dtype"] == "torch.bfloat16"   # as torch names it (not "bfloat16": see report)


def test_dtypes_devices_and_special_floats_roundtrip():
    back, _ = roundtrip([torch.float32, torch.int8, torch.device("cpu"), float("nan"), -0.0])
    assert back[:3] == [torch.float32, torch.int8, torch.device("cpu")]
    assert back[3] != back[3] and str(back[4]) == "-0.0"


def test_header_numbers_may_be_infinite():
    header, blobs = wire.unpack(wire.pack({"seconds": float("inf")}, []))
    assert header == {"seconds": float("inf")} and blobs == []


def _tensor_tree(**changes):
    return {"$tensor": 0, "dtype": "float64", "shape": [1], "device": "cpu",
            "requires_grad": False, "parameter": False, **changes}


@pytest.mark.parametrize("tree, message", [
    (_tensor_tree(shape=[-1]), "bad tensor description"),
    (_tensor_tree(shape=[1.0]), "bad tensor description"),
    (_tensor_tree(**{"$tensor": 1}), "tensor refers to a missing buffer"),
    (_tensor_tree(**{"$tensor": "0"}), "tensor refers to a missing buffer"),
    (_tensor_tree(shape=[2]), "tensor buffer has the wrong size"),
    (_tensor_tree(sent_as="object"), "bad tensor description"),
])
def test_bad_tensor_descriptions_are_refused_by_name(tree, message):
    with pytest.raises(wire.WireError) as info:
        wire.decode(tree, [memoryview(b"\x00" * 8)])
    assert str(info.value) == message or str(info.value).startswith(message + " {")


def test_a_tensor_sent_as_another_dtype_is_read_as_that_dtype():
    value = torch.tensor([2.5], dtype=torch.float64).numpy().tobytes()
    back = wire.decode(_tensor_tree(dtype="bfloat16", sent_as="float64"), [memoryview(value)])
    assert back.dtype == torch.float64 and back.tolist() == [2.5]


@pytest.mark.parametrize("tree", [[1], 1.5, {"no": "tag"}])
def test_unknown_values_are_refused(tree):
    with pytest.raises(wire.WireError):
        wire.decode(tree, [])


def test_a_meta_tensor_keeps_its_dtype():
    back, infos = roundtrip(torch.empty(2, device="meta", dtype=torch.int16))
    assert back.dtype == torch.int16 and infos[0]["dtype"] == "int16"


@pytest.mark.parametrize("message, words", [
    (b"GRW1\x00\x00\x00", "message too short"),
    (b"XXXX\x00\x00\x00\x00", "bad message header"),
    (b"GRW1\x00\x00\x00\x00", "header is not JSON: JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
    (b"GRW1\x02\x00\x00\x00[]", "header is not a JSON object"),
])
def test_malformed_messages_are_refused_by_name(message, words):
    with pytest.raises(wire.WireError) as info:
        wire.unpack(message)
    assert str(info.value) == words


def test_the_header_limit_is_exact():
    import struct
    head = b'{"p": "' + b"x" * (wire.MAX_HEADER_BYTES - 9) + b'"}'
    assert len(head) == wire.MAX_HEADER_BYTES
    header, _ = wire.unpack(wire.MAGIC + struct.pack("<I", len(head)) + head)
    assert len(header["p"]) == wire.MAX_HEADER_BYTES - 9
    big = head[:-2] + b'x"}'
    with pytest.raises(wire.WireError) as info:
        wire.unpack(wire.MAGIC + struct.pack("<I", len(big)) + big)
    assert str(info.value) == ("the reply's description is 4 MiB, more than the 4 MiB allowed "
                               "(return tensors, not long Python lists)")


def test_three_buffers_are_cut_where_they_are():
    tensors = [torch.full((2,), float(i), dtype=torch.float64) for i in range(3)]
    back, _ = roundtrip(tensors)
    assert [t.tolist() for t in back] == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]


def test_entries_and_tags_are_refused_by_name():
    with pytest.raises(wire.WireError) as info:
        wire.unpack(_with_blobs([[0]], b""))
    assert str(info.value) == "bad buffer entry"
    for tree, words in (({"no": "tag"}, "unknown value tag"), ([1], "unexpected value list")):
        with pytest.raises(wire.WireError) as info:
            wire.decode(tree, [])
        assert str(info.value) == words


def test_refusals_that_name_their_cause_exactly():
    with pytest.raises(wire.WireError) as info:
        wire.unpack(_with_blobs([[0, 9]], b"12345678"))
    assert str(info.value) == "tensor buffer out of bounds"


class Unsendable:
    pass


def test_a_foreign_object_is_named_by_module_and_class():
    back, _ = roundtrip(Unsendable())
    assert back == f"{__name__}.Unsendable"


def _quantized(x):
    import warnings
    with warnings.catch_warnings():   # quantized tensors are deprecated in torch, not gone
        warnings.simplefilter("ignore")
        return torch.quantize_per_tensor(x, 0.1, 0, torch.quint8)


@pytest.mark.parametrize("make, name", [
    (lambda x: x.to_sparse(), "torch.sparse_coo"),
    (lambda x: torch.nested.nested_tensor([x, x]), "nested"),   # strided layout, nested
    (_quantized, "quantized"),                                    # strided layout, quantized
    (lambda x: x.to_mkldnn(), "torch._mkldnn"),
])
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_tensor_that_is_not_dense_comes_back_as_a_foreign_object_naming_its_layout(make, name):
    back, infos = roundtrip({"out": make(torch.zeros(2, 2))})
    assert type(back["out"]) is wire.Foreign and infos == []
    assert back["out"] == f"{name} tensor (only dense tensors are graded)"


def test_the_dimension_limit_is_exact():
    back, _ = roundtrip(torch.full([1] * wire.MAX_DIMS, 7.0))
    assert back.shape == (1,) * wire.MAX_DIMS and back.item() == 7.0
    with pytest.raises(wire.WireError, match="bad tensor description"):
        roundtrip(torch.ones([1] * (wire.MAX_DIMS + 1)))


def test_the_span_limit_is_exact():
    """An empty tensor spans its other dimensions: up to MAX_SPAN of them, not one more."""
    back, _ = roundtrip(torch.empty(0, wire.MAX_SPAN, device="meta"))
    assert back.shape == (0, wire.MAX_SPAN)
    with pytest.raises(wire.WireError, match="bad tensor description"):
        roundtrip(torch.empty(0, wire.MAX_SPAN + 1, device="meta"))


def test_a_tensor_may_only_say_it_was_sent_as_float64():
    """An honest encoder converts only to float64; a worker that claims another dtype
    for its bytes is refused, not read as that dtype."""
    value = torch.tensor([7], dtype=torch.int64).numpy().tobytes()
    with pytest.raises(wire.WireError, match="bad tensor description"):
        wire.decode(_tensor_tree(dtype="bfloat16", sent_as="int64"), [memoryview(value)])
