"""max_pool2d(x, kernel_size, stride=None, pad=0): like F.max_pool2d.

stride defaults to kernel_size; padding is -inf (a padded cell never wins the
max).  torch requires pad <= kernel // 2, so every drawn case respects it, and
inputs have distinct values (no ties) so the max and its gradient are unique.
"""
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw2._common import (MISSING_STRIDE, PAD_ORDER, arg_styles, as_given,
                                       assert_close_or_diagnose, check_on_meta, cropped,
                                       differs, inputs_unchanged, matching_hint, out_hw, pair,
                                       pool_config, stride_variants, swapped_padding)
from grader.compare import assert_meta
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor

ZERO_PAD = ("padded cells seem to count as 0 (DeZero's pooling pads with 0); pad with "
            "-inf so that padding never wins the max: F.pad(x, ..., value=float('-inf'))")
STRIDE_ONE = ("stride seems to default to 1 (DeZero's pooling); like F.max_pool2d, stride=None "
              "must mean stride = kernel_size")
AVERAGE = "the windows were averaged; max pooling takes the maximum of each window"
PAD_TOTAL = "padding looks like pad // 2 per side; pad is added on EVERY side"
MISSING_PLUS_ONE = "one output position too few per axis: OH = (H + 2*PH - KH) // SH + 1"
MIN_POOL = "each window's MINIMUM was taken; max pooling keeps the largest value (amax)"


def _reference(x, kernel, stride, pad):
    return F.max_pool2d(x, pair(kernel), None if stride is None else pair(stride),
                        padding=pair(pad))


def _diagnose(got, x, kernel, stride, pad) -> str:
    (kh, kw), (ph, pw) = pair(kernel), pair(pad)
    x = x.double()
    ref = _reference(x, kernel, stride, pad)
    if got.dim() == 4 and tuple(got.shape[2:]) == (ref.shape[2] - 1, ref.shape[3] - 1):
        return MISSING_PLUS_ONE
    step = pair(kernel) if stride is None else pair(stride)
    candidates = {AVERAGE: F.avg_pool2d(x, (kh, kw), step, (ph, pw))}
    if ph or pw:
        candidates[ZERO_PAD] = F.max_pool2d(F.pad(x, (pw, pw, ph, ph)), (kh, kw), step)
        if min(x.shape[2] + 2 * (ph // 2) - kh, x.shape[3] + 2 * (pw // 2) - kw) >= 0:
            candidates[PAD_TOTAL] = _reference(x, kernel, stride, (ph // 2, pw // 2))
    if stride is None and (kh, kw) != (1, 1):
        candidates[STRIDE_ONE] = _reference(x, kernel, 1, pad)
    OH, OW = ref.shape[2:]
    candidates[MIN_POOL] = -_reference(-x, kernel, stride, pad)
    if ph != pw:
        padded = swapped_padding(x, (ph, pw), value=float("-inf"))
        if padded.shape[2] >= kh and padded.shape[3] >= kw:
            candidates[PAD_ORDER] = cropped(F.max_pool2d(padded, (kh, kw), step), OH, OW)
    if stride is not None:
        for variant in stride_variants(step):
            candidates.setdefault(MISSING_STRIDE, cropped(_reference(x, kernel, variant, pad),
                                                          OH, OW))
    return matching_hint(got, {h: w for h, w in candidates.items()
                               if w is not None and differs(w, ref)})


def _what(x, kernel, stride, pad):
    stride_text = "" if stride is None else f", stride={stride}"
    return f"max_pool2d(x of shape {tuple(x.shape)}, {kernel}{stride_text}, pad={pad})"


def _call(student, x, kernel, stride, pad):
    kwargs = {"pad": pad} if stride is None else {"stride": stride, "pad": pad}
    what = _what(x, kernel, stride, pad)
    return expect_tensor(student.call("max_pool2d", x, kernel, **kwargs), what), what


def _image(config, seed, dtype=torch.float64):
    """Distinct values 0.1 apart, none exactly 0 (so a zero pad cannot tie with an input)."""
    return gs.distinct((config["N"], config["C"], config["H"], config["W"]), seed, dtype) + 0.05


pool_configs = gs.conv_configs().map(pool_config)


@settings(max_examples=8)
@given(config=pool_configs, seed=gs.seeds(),
       dtype=st.sampled_from([torch.float64, torch.float32]))
def test_output_contract(student, config, seed, dtype):
    x = _image(config, seed, dtype)
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    what = _what(x, kernel, stride, pad)
    result = student.run("max_pool2d", x, kernel, kwargs={"stride": stride, "pad": pad},
                         return_inputs=True)
    out = expect_tensor(result.output, what)
    shape = (config["N"], config["C"], *out_hw(config["H"], config["W"], kernel, stride, pad))
    if tuple(out.shape) != shape:
        hint = _diagnose(out, x, kernel, stride, pad)
        raise CheckFailure(f"{what} has shape {tuple(out.shape)}, expected (N, C, OH, OW) = "
                           f"{shape}{'. Hint: ' + hint if hint else ''}")
    assert_meta(result.output_info, what, shape=shape, dtype=dtype, device="cpu")
    inputs_unchanged(result, ["x"], what)


@settings(max_examples=8)
@given(k=st.integers(1, 3), p=st.integers(0, 1), sides=st.tuples(st.integers(0, 4),
       st.integers(0, 4)), seed=gs.seeds())
def test_default_stride_and_tuple_args(student, k, p, sides, seed):
    p = min(p, k // 2)
    x = gs.distinct((1, 2, k + sides[0], k + sides[1]), seed) + 0.05
    default = expect_tensor(student.call("max_pool2d", x, k), f"max_pool2d(x, {k})")
    assert_close_or_diagnose(default, _reference(x, k, None, 0),
                             f"max_pool2d(x of shape {tuple(x.shape)}, {k}) "
                             f"(stride defaults to {k})",
                             diagnose=lambda: _diagnose(default, x, k, None, 0))
    got = expect_tensor(student.call("max_pool2d", x, (k, k), None, (p, p)),
                        f"max_pool2d(x, ({k}, {k}), None, ({p}, {p}))")
    assert_close_or_diagnose(
        got, _reference(x, k, None, p),
        f"max_pool2d(x of shape {tuple(x.shape)}, ({k}, {k}), None, ({p}, {p})) with "
        "(int, int) arguments and stride=None",
        diagnose=lambda: _diagnose(got, x, k, None, p) or
        "kernel_size, stride and pad may each be an int or a (height, width) pair")


def _unravel(flat: torch.Tensor, shape) -> list[torch.Tensor]:
    """Row-major indices of the elements ``flat``, one tensor per dimension.

    ``torch.unravel_index`` would import sympy (about 1 s) into the scorer.
    """
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat = flat // size
    return index[::-1]


@settings(max_examples=10)
@given(config=pool_configs, seed=gs.seeds())
def test_outputs_from_window(student, config, seed):
    """Each output is an input pixel of its own window (found by value: all are distinct)."""
    x = _image(config, seed)
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    got, what = _call(student, x, kernel, stride, pad)
    shape = (config["N"], config["C"], *out_hw(config["H"], config["W"], kernel, stride, pad))
    if tuple(got.shape) != shape:
        raise CheckFailure(f"{what} has shape {tuple(got.shape)}, expected {shape}")
    values, order = x.reshape(-1).sort()
    flat = got.double().reshape(-1)
    slot = torch.searchsorted(values, flat).clamp(max=values.numel() - 1)
    found = values[slot] == flat
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    n, c, oh, ow = _unravel(torch.arange(flat.numel()), shape)
    pn, pc, h, w = _unravel(order[slot], x.shape)
    top, left = oh * sh - ph, ow * sw - pw
    inside = (pn == n) & (pc == c) & (h >= top) & (h < top + kh) & (w >= left) & (w < left + kw)
    bad = ~(found & inside)
    if bool(bad.any()):
        i = int(bad.nonzero()[0])
        where = [int(v[i]) for v in (n, c, oh, ow)]
        window = (f"rows {int(top[i])}..{int(top[i]) + kh - 1}, "
                  f"columns {int(left[i])}..{int(left[i]) + kw - 1}")
        problem = ("is not one of the input values" if not bool(found[i]) else
                   f"is the input pixel at {[int(v[i]) for v in (pn, pc, h, w)]}, outside it")
        hint = _diagnose(got, x, kernel, stride, pad)
        raise CheckFailure(f"{what}: output {where} = {float(flat[i]):.6g} should be the "
                           f"largest pixel of window {window} of image {where[0]}, channel "
                           f"{where[1]}, but {problem}{'. Hint: ' + hint if hint else ''}")


@settings(max_examples=20)
@given(config=pool_configs, seed=gs.seeds(), style=arg_styles, default_stride=st.booleans())
def test_matches_reference_float64(student, config, seed, style, default_stride):
    x = _image(config, seed)
    kernel, pad = as_given(config["kernel"], style), as_given(config["pad"], style)
    stride = None if default_stride else as_given(config["stride"], style)
    got, what = _call(student, x, kernel, stride, pad)
    assert_close_or_diagnose(got, _reference(x, kernel, stride, pad), f"{what} in float64",
                             diagnose=lambda: _diagnose(got, x, kernel, stride, pad))


@settings(max_examples=8)
@given(config=pool_configs, seed=gs.seeds())
def test_matches_reference_float32(student, config, seed):
    x = _image(config, seed, torch.float32)
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    got, what = _call(student, x, kernel, stride, pad)
    assert_close_or_diagnose(got, _reference(x, kernel, stride, pad), f"{what} in float32",
                             rtol=0, atol=0,
                             diagnose=lambda: _diagnose(got, x, kernel, stride, pad))


@settings(max_examples=5)
@given(config=gs.conv_configs(max_batch=1, max_channels=2, max_side=5).map(pool_config),
       seed=gs.seeds())
def test_gradient(student, config, seed):
    x = _image(config, seed)
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    check_gradient(student, "max_pool2d", [x, kernel], wrt=[0],
                   kwargs={"stride": stride, "pad": pad}, what=_what(x, kernel, stride, pad),
                   seed=seed, reference=_reference)


def test_device_agnostic(student):
    x = gs.distinct((2, 3, 5, 4), 0)
    check_on_meta(student, "max_pool2d", [x, (3, 2)], {"stride": (2, 1), "pad": (1, 0)},
                  "max_pool2d(x, (3, 2), stride=(2, 1), pad=(1, 0))")


def test_gpu_parity(student):
    x = gs.distinct((2, 3, 6, 6), 17)
    check_parity(student, "max_pool2d", [x, 2], "max_pool2d(x, 2, stride=2, pad=1)",
                 kwargs={"stride": 2, "pad": 1},
                 reference=lambda x, k: F.max_pool2d(x.cpu(), k, 2, 1))


def test_from_scratch(student):
    """Runs last: also sees banned calls made by any earlier check."""
    student.call("max_pool2d", gs.distinct((1, 2, 4, 4), 1), 2, pad=1)
