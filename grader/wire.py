"""The message format between the scoring process and a student worker.

A message is ``MAGIC | u32 header length | JSON header | raw tensor bytes``.
Only JSON and raw numeric buffers cross the boundary: no pickle, and nothing
the student could make execute code or fake a value when decoded.  Tensors are
described in the header (dtype from a fixed list, shape, device) and rebuilt by
the receiver from bytes, so a tensor subclass or an object with a forged
``__eq__`` can never come back, only its numbers.
"""
import json
import math
import re
import struct

import numpy as np
import torch

MAGIC = b"GRW1"
_HEADER = struct.Struct("<4sI")
# The JSON part's limit (the worker's side packs, the scorer's side checks; both
# import this module, and the box imports nothing from the scoring side's config).
# Parsing costs about 20x its size in scorer memory.
MAX_HEADER_BYTES = 4 << 20

# dtype name -> (numpy dtype, torch dtype); anything else is refused.
DTYPES = {
    "float64": (np.float64, torch.float64),
    "float32": (np.float32, torch.float32),
    "float16": (np.float16, torch.float16),
    "int64": (np.int64, torch.int64),
    "int32": (np.int32, torch.int32),
    "int16": (np.int16, torch.int16),
    "int8": (np.int8, torch.int8),
    "uint8": (np.uint8, torch.uint8),
    "bool": (np.bool_, torch.bool),
}
TORCH_TO_NAME = {t: name for name, (_, t) in DTYPES.items()}
MAX_DIMS = 32                                   # numpy's limit is 64; torch's own, 25
# Elements the shape would span with its empty dimensions counted as 1: a
# (0, 2**40) tensor holds nothing, but a check's sum over its first dimension
# would allocate 2**40 numbers in the scoring process.
MAX_SPAN = 1 << 31
_DTYPE_NAME = re.compile(r"(torch\.)?[a-z][a-z0-9_]{0,31}")   # a name above, or str(dtype)
_DEVICE = re.compile(r"(cpu|meta|cuda|mps|xpu)(:[0-9]{1,3})?")


class WireError(ValueError):
    """A message that does not follow the format."""


def pack(header: dict, blobs: list[bytes]) -> bytes:
    """Serialise a header and its tensor buffers into one message."""
    offsets, pos = [], 0
    for blob in blobs:
        offsets.append([pos, len(blob)])
        pos += len(blob)
    head = json.dumps({**header, "$blobs": offsets}, allow_nan=True).encode()
    return b"".join([_HEADER.pack(MAGIC, len(head)), head, *blobs])


def unpack(message: bytes) -> tuple[dict, list[memoryview]]:
    """Split a message into its header and its tensor buffers, validating both."""
    if len(message) < _HEADER.size:
        raise WireError("message too short")
    magic, head_len = _HEADER.unpack_from(message)
    if magic != MAGIC or _HEADER.size + head_len > len(message):
        raise WireError("bad message header")
    if head_len > MAX_HEADER_BYTES:
        raise WireError(f"the reply's description is {head_len >> 20} MiB, more than the "
                        f"{MAX_HEADER_BYTES >> 20} MiB allowed (return tensors, not "
                        "long Python lists)")
    try:
        header = json.loads(bytes(message[_HEADER.size:_HEADER.size + head_len]))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        # RecursionError: nested deeper than the parser goes; ValueError: an integer
        # with more digits than Python converts
        raise WireError(f"header is not JSON: {type(exc).__name__}: {exc}"[:300]) from None
    if not isinstance(header, dict):
        raise WireError("header is not a JSON object")
    body = memoryview(message)[_HEADER.size + head_len:]
    blobs = []
    for entry in header.pop("$blobs", []):
        start, size = _ints(entry)
        if start < 0 or size < 0 or start + size > len(body):
            raise WireError("tensor buffer out of bounds")
        blobs.append(body[start:start + size])
    return header, blobs


def _ints(entry) -> tuple[int, int]:
    if (not isinstance(entry, list) or len(entry) != 2
            or not all(type(v) is int for v in entry)):
        raise WireError("bad buffer entry")
    return entry[0], entry[1]


# --- values: nested python data with tensors --------------------------------

def encode(value, blobs: list[bytes]):
    """Turn ``value`` into JSON-able data, appending tensor bytes to ``blobs``.

    Tensors must be exactly ``torch.Tensor`` or ``nn.Parameter``; any other
    object becomes an ``$other`` marker naming its type, which the receiver
    reports as a wrong return type.
    """
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return {"$float": repr(value)}
    if type(value) in (tuple, list):
        return {"$seq": type(value).__name__, "items": [encode(v, blobs) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$dict": {k: encode(v, blobs) for k, v in value.items()}}
    if type(value) in (torch.Tensor, torch.nn.Parameter):
        if not _plain_layout(value):
            return {"$other": f"{_layout_name(value)} tensor (only dense tensors are graded)"}
        return _encode_tensor(value, blobs)
    if isinstance(value, torch.dtype):
        return {"$dtype": TORCH_TO_NAME[value]}
    if isinstance(value, torch.device):
        return {"$device": str(value)}
    return {"$other": f"{type(value).__module__}.{type(value).__qualname__}"}


def _plain_layout(t: torch.Tensor) -> bool:
    """Dense, unquantized, not nested: what is rebuilt from its bytes.

    Sparse, nested, quantized or MKL-DNN tensors cannot be copied to bytes the
    same way; such a result is a wrong type (the student's), never a failure
    of the encoder, which the scoring side would take for a grader error.
    """
    return t.layout is torch.strided and not t.is_nested and not t.is_quantized


def _layout_name(t: torch.Tensor) -> str:
    if t.is_nested:
        return "nested"
    return "quantized" if t.is_quantized else str(t.layout)


def _encode_tensor(t: torch.Tensor, blobs: list[bytes]) -> dict:
    meta = {
        "$tensor": len(blobs) if t.device.type != "meta" else None,
        "dtype": TORCH_TO_NAME.get(t.dtype, str(t.dtype)),
        "shape": list(t.shape),
        "device": str(t.device),
        "requires_grad": bool(t.requires_grad),
        "parameter": type(t) is torch.nn.Parameter,
    }
    if t.device.type == "meta":
        return meta
    data = t.detach()
    if meta["dtype"] not in DTYPES:  # bfloat16, complex...: send as float64, say so
        meta["sent_as"] = "float64"
        data = data.to(torch.float64)
    blobs.append(data.cpu().contiguous().numpy().tobytes())
    return meta


class TensorInfo(dict):
    """Where a decoded tensor lived in the worker: device, requires_grad, ..."""


def decode(tree, blobs: list[memoryview], infos: list | None = None):
    """Rebuild python data from :func:`encode`'s output.

    Tensors come back on the CPU (or as ``meta`` tensors); their original
    device and flags are appended to ``infos`` in encounter order.
    """
    if tree is None or type(tree) in (bool, int, str):
        return tree
    if type(tree) is not dict:
        raise WireError(f"unexpected value {type(tree).__name__}")
    if "$float" in tree:
        return float(tree["$float"])
    if "$seq" in tree:
        items = [decode(v, blobs, infos) for v in tree["items"]]
        return tuple(items) if tree["$seq"] == "tuple" else items
    if "$dict" in tree:
        return {str(k): decode(v, blobs, infos) for k, v in tree["$dict"].items()}
    if "$tensor" in tree:
        return _decode_tensor(tree, blobs, infos)
    if "$dtype" in tree:
        return DTYPES[tree["$dtype"]][1]
    if "$device" in tree:
        return torch.device(str(tree["$device"]))
    if "$other" in tree:
        return Foreign(str(tree["$other"]))
    raise WireError("unknown value tag")


def _decode_tensor(tree: dict, blobs, infos):
    name = tree.get("sent_as", tree["dtype"])
    shape = tree["shape"]
    if not _valid_description(tree, name, shape):
        raise WireError(f"bad tensor description {tree!r:.200}")
    np_dtype, torch_dtype = DTYPES[name]
    if infos is not None:
        infos.append(TensorInfo(dtype=tree["dtype"], shape=tuple(shape),
                                device=tree["device"], requires_grad=tree["requires_grad"],
                                parameter=tree["parameter"]))
    if tree["$tensor"] is None:
        return torch.empty(shape, dtype=torch_dtype, device="meta")
    index = tree["$tensor"]
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("tensor refers to a missing buffer")
    count = math.prod(shape)   # exact: no int64 wrap-around to match a small buffer
    blob = blobs[index]
    if len(blob) != count * np.dtype(np_dtype).itemsize:
        raise WireError("tensor buffer has the wrong size")
    array = np.frombuffer(blob, dtype=np_dtype, count=count).reshape(shape).copy()
    return torch.from_numpy(array)


def _valid_description(tree: dict, name, shape) -> bool:
    """What an honest encoder can write, nothing else: the checks read these fields.

    A worker is the student's process; a description it made up (a device
    string no torch has, a shape numpy cannot hold) is refused here rather
    than met by a check that does not expect it.
    """
    return (name in DTYPES and type(shape) is list and len(shape) <= MAX_DIMS
            and all(type(s) is int and s >= 0 for s in shape)
            and math.prod(max(s, 1) for s in shape) <= MAX_SPAN
            and tree.get("sent_as", "float64") == "float64"
            and type(tree["dtype"]) is str and _DTYPE_NAME.fullmatch(tree["dtype"]) is not None
            and type(tree["device"]) is str and _DEVICE.fullmatch(tree["device"]) is not None
            and type(tree["requires_grad"]) is bool and type(tree["parameter"]) is bool)


class Foreign(str):
    """Stands for a returned object that is not a plain tensor or number."""

    def __repr__(self):
        return f"<object of type {str(self)}>"
