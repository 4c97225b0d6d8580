"""Helpers shared by the hw2 checks (not a test module: nothing here is collected).

Trusted references (``F.unfold``, ``F.conv2d``, ``F.max_pool2d``) run here, in
the scoring process, on CPU float64 copies of the inputs.
"""
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from grader import strategies as gs
from grader.compare import assert_close
from grader.devices import check_device
from grader.errors import CheckFailure



def pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def out_size(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


def out_hw(H, W, kernel, stride, pad) -> tuple[int, int]:
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(pad)
    return out_size(H, kh, sh, ph), out_size(W, kw, sw, pw)


def as_given(value, style: str):
    """Pass a pair as drawn: ``tuple``, or an ``int`` when both sides agree."""
    value = pair(value)
    if style == "int" and value[0] == value[1]:
        return value[0]
    if style == "list":
        return list(value)
    return value


arg_styles = st.sampled_from(["tuple", "int"])


def ref_im2col(x: torch.Tensor, kernel, stride=1, pad=0) -> torch.Tensor:
    """The pinned layout: ``F.unfold(...).transpose(1, 2).reshape(N*OH*OW, -1)``."""
    cols = F.unfold(x, pair(kernel), padding=pair(pad), stride=pair(stride))
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


def pool_config(config: dict) -> dict:
    """A ``conv_configs()`` draw made valid for ``F.max_pool2d`` (pad <= kernel // 2)."""
    (kh, kw), (ph, pw) = config["kernel"], config["pad"]
    ph, pw = min(ph, kh // 2), min(pw, kw // 2)
    return dict(config, pad=(ph, pw), H=max(config["H"], kh - 2 * ph),
                W=max(config["W"], kw - 2 * pw))


def matching_hint(got: torch.Tensor, candidates: dict) -> str:
    """The hint whose known-wrong tensor equals ``got`` (shape and values), if any."""
    for hint, wrong in candidates.items():
        if wrong is None or tuple(got.shape) != tuple(wrong.shape):
            continue
        if torch.allclose(got.double(), wrong.double(), rtol=1e-5, atol=1e-6):
            return hint
    return ""


def check_on_meta(student, name: str, args: list, kwargs: dict, what: str, wrt=(0,)):
    """Device check on the meta device, decided on real devices when meta cannot run
    the code (see :mod:`grader.devices`)."""
    check_device(student, name, args, what, kwargs=kwargs, wrt=list(wrt))


def inputs_unchanged(result, names: list[str], what: str):
    for position, label in enumerate(names):
        before, after = result.inputs_before[position], result.inputs_after[position]
        if before is not None and not torch.equal(before, after):
            raise CheckFailure(f"{what} changed its input {label} in place; compute on new "
                               "tensors (no in-place ops such as +=, mul_, [...] = on inputs)")


def image(config: dict, seed: int, dtype=torch.float64, **extra) -> torch.Tensor:
    return gs.gaussian((config["N"], config["C"], config["H"], config["W"]), seed, dtype,
                       **extra)


def differs(wrong: torch.Tensor, right: torch.Tensor) -> bool:
    """Whether a known-wrong variant can be told apart from the right answer at all."""
    return tuple(wrong.shape) != tuple(right.shape) or not torch.allclose(
        wrong.double(), right.double(), rtol=1e-5, atol=1e-6)


def assert_close_or_diagnose(got, expected, what: str, diagnose, rtol=None, atol=None):
    """``assert_close``, computing the (costly) hint only when the comparison fails."""
    try:
        assert_close(got, expected, what, rtol=rtol, atol=atol)
    except CheckFailure:
        assert_close(got, expected, what, rtol=rtol, atol=atol, hint=diagnose())
        raise


PAD_ORDER = ("the padding looks swapped between height and width: F.pad's tuple starts with "
             "the LAST dimension, F.pad(x, (PW, PW, PH, PH))")
MISSING_STRIDE = ("the windows overlap as if the stride were 1: a slice seems to miss its "
                  "step, x[:, :, i:i + SH*OH:SH, j:j + SW*OW:SW]")


def cropped(full: torch.Tensor, oh: int, ow: int):
    """``full`` (N, C, H', W') cut to its first (oh, ow) positions, or None if smaller."""
    if full.shape[2] < oh or full.shape[3] < ow:
        return None
    return full[:, :, :oh, :ow]


def swapped_padding(x: torch.Tensor, pad, value: float = 0.0) -> torch.Tensor:
    """``x`` padded as ``F.pad(x, (PH, PH, PW, PW))``: height by PW, width by PH."""
    (ph, pw) = pair(pad)
    return F.pad(x, (ph, ph, pw, pw), value=value)


def stride_variants(stride) -> list:
    """Strides a slice that forgot its step would have used instead of ``stride``."""
    (sh, sw) = pair(stride)
    return [s for s in {(1, sw), (sh, 1), (1, 1)} if s != (sh, sw)]
