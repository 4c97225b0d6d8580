"""conv2d(x, W, b=None, stride=1, pad=0): cross-correlation like F.conv2d, via im2col + matmul."""
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw2._common import (MISSING_STRIDE, PAD_ORDER, arg_styles, as_given,
                                       assert_close_or_diagnose, check_on_meta, cropped,
                                       differs, image, inputs_unchanged, matching_hint,
                                       out_hw, pair, ref_im2col, stride_variants,
                                       swapped_padding)
from grader.compare import assert_meta, tolerances
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor

FLIPPED = ("the kernel looks flipped (a true convolution); F.conv2d computes a "
           "cross-correlation: multiply each window by W as it is, without flipping")
NO_BIAS = "the bias b seems to be ignored: add b[oc] to every output of channel oc"
PAD_TOTAL = "padding looks like pad // 2 per side; pad is added on EVERY side"
LAYOUT = ("the (N*OH*OW, OC) product was reshaped straight to (N, OC, OH, OW); reshape it to "
          "(N, OH, OW, OC) first, then permute(0, 3, 1, 2)")
WEIGHT_RESHAPE = ("W was flattened as W.reshape(C*KH*KW, OC); flatten each output channel's "
                  "kernel instead: W.reshape(OC, C*KH*KW).T")
MISSING_PLUS_ONE = "one output position too few per axis: OH = (H + 2*PH - KH) // SH + 1"


def _reference(x, W, b, stride, pad):
    return F.conv2d(x.double(), W.double(), None if b is None else b.double(),
                    stride=pair(stride), padding=pair(pad))


def _diagnose(got, x, W, b, stride, pad) -> str:
    x, W = x.double(), W.double()
    b = None if b is None else b.double()
    ref = _reference(x, W, b, stride, pad)
    N, OC, OH, OW = ref.shape
    if got.dim() == 4 and tuple(got.shape[2:]) == (OH - 1, OW - 1):
        return MISSING_PLUS_ONE
    candidates = {FLIPPED: _reference(x, W.flip(2, 3), b, stride, pad),
                  LAYOUT: ref.permute(0, 2, 3, 1).reshape(N, OC, OH, OW)}
    if b is not None:
        candidates[NO_BIAS] = _reference(x, W, None, stride, pad)
    (ph, pw), (kh, kw) = pair(pad), W.shape[2:]
    if (ph or pw) and min(x.shape[2] + 2 * (ph // 2) - kh, x.shape[3] + 2 * (pw // 2) - kw) >= 0:
        candidates[PAD_TOTAL] = _reference(x, W, b, stride, (ph // 2, pw // 2))
    flat = ref_im2col(x, (kh, kw), stride, pad) @ W.reshape(-1, OC)
    if b is not None:
        flat = flat + b
    candidates[WEIGHT_RESHAPE] = flat.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)
    if ph != pw:
        padded = swapped_padding(x, (ph, pw))
        if padded.shape[2] >= kh and padded.shape[3] >= kw:
            candidates[PAD_ORDER] = cropped(_reference(padded, W, b, stride, 0), OH, OW)
    for step in stride_variants(stride):
        candidates.setdefault(MISSING_STRIDE, cropped(_reference(x, W, b, step, pad), OH, OW))
    return matching_hint(got, {h: w for h, w in candidates.items()
                               if w is not None and differs(w, ref)})


@st.composite
def problems(draw, dtype=torch.float64, bias=None, **limits):
    """(x, W, b, config) for a drawn conv configuration."""
    config = draw(gs.conv_configs(**limits))
    oc, seed = draw(st.integers(1, 3)), draw(gs.seeds())
    use_bias = draw(st.booleans()) if bias is None else bias
    x = image(config, seed, dtype)
    W = gs.gaussian((oc, config["C"], *config["kernel"]), seed + 1, dtype)
    b = gs.gaussian((oc,), seed + 2, dtype) if use_bias else None
    return x, W, b, config


def _what(x, W, b, stride, pad):
    return (f"conv2d(x of shape {tuple(x.shape)}, W of shape {tuple(W.shape)}, "
            f"b={'None' if b is None else 'tensor'}, stride={stride}, pad={pad})")


def _call(student, x, W, b, stride, pad):
    what = _what(x, W, b, stride, pad)
    return expect_tensor(student.call("conv2d", x, W, b, stride=stride, pad=pad), what), what


@settings(max_examples=8)
@given(problem=problems(bias=True), dtype=st.sampled_from([torch.float64, torch.float32]))
def test_output_contract(student, problem, dtype):
    x, W, b, config = (v.to(dtype) if isinstance(v, torch.Tensor) else v for v in problem)
    stride, pad = config["stride"], config["pad"]
    what = _what(x, W, b, stride, pad)
    result = student.run("conv2d", x, W, b, kwargs={"stride": stride, "pad": pad},
                         return_inputs=True)
    out = expect_tensor(result.output, what)
    oh, ow = out_hw(config["H"], config["W"], config["kernel"], stride, pad)
    shape = (config["N"], W.shape[0], oh, ow)
    if tuple(out.shape) != shape:
        hint = _diagnose(out, x, W, b, stride, pad)
        raise CheckFailure(f"{what} has shape {tuple(out.shape)}, expected (N, OC, OH, OW) = "
                           f"{shape}{'. Hint: ' + hint if hint else ''}")
    assert_meta(result.output_info, what, shape=shape, dtype=dtype, device="cpu")
    inputs_unchanged(result, ["x", "W", "b"], what)


@settings(max_examples=6)
@given(k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 2),
       extra=st.tuples(st.integers(0, 3), st.integers(0, 3)), seed=gs.seeds())
def test_bias_and_tuple_args(student, k, s, p, extra, seed):
    side = max(1, k - 2 * p)
    x = gs.gaussian((2, 2, side + extra[0], side + extra[1]), seed)
    W, b = gs.gaussian((3, 2, k, k), seed + 1), gs.gaussian((3,), seed + 2)
    no_bias, what = _call(student, x, W, None, s, p)
    assert_close_or_diagnose(no_bias, _reference(x, W, None, s, p),
                             f"{what} (int arguments, no bias)",
                             diagnose=lambda: _diagnose(no_bias, x, W, None, s, p))
    pairs, what = _call(student, x, W, b, (s, s), (p, p))
    assert_close_or_diagnose(pairs, _reference(x, W, b, s, p),
                             f"{what} ((int, int) arguments, bias)",
                             diagnose=lambda: _diagnose(pairs, x, W, b, s, p) or
                             "stride and pad may each be an int or a (height, width) pair")
    if min(x.shape[2:]) >= k:
        default = expect_tensor(student.call("conv2d", x, W), "conv2d(x, W)")
        assert_close_or_diagnose(default, _reference(x, W, None, 1, 0),
                                 "conv2d(x, W) with the defaults b=None, stride=1, pad=0",
                                 diagnose=lambda: _diagnose(default, x, W, None, 1, 0))


@settings(max_examples=10)
@given(config=gs.conv_configs(), seed=gs.seeds(), where=st.tuples(
    st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)))
def test_delta_kernel(student, config, seed, where):
    """A kernel with a single 1 at (c, i, j) picks pixel (c, oh*SH + i, ow*SW + j) of the
    padded image: the output is a shifted, strided crop of one input channel."""
    x = image(config, seed)
    (kh, kw), (sh, sw), (ph, pw) = config["kernel"], config["stride"], config["pad"]
    c, i, j = where[0] % config["C"], where[1] % kh, where[2] % kw
    W = torch.zeros(1, config["C"], kh, kw, dtype=torch.float64)
    W[0, c, i, j] = 1.0
    oh, ow = out_hw(config["H"], config["W"], (kh, kw), (sh, sw), (ph, pw))
    padded = F.pad(x, (pw, pw, ph, ph))
    expected = padded[:, c:c + 1, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    got, what = _call(student, x, W, None, (sh, sw), (ph, pw))
    assert_close_or_diagnose(
        got, expected, f"{what} with a kernel that is 1 at (c={c}, kh={i}, kw={j}) and 0 "
        "elsewhere", diagnose=lambda: _diagnose(got, x, W, None, (sh, sw), (ph, pw)))


@settings(max_examples=20)
@given(problem=problems(), style=arg_styles)
def test_matches_reference_float64(student, problem, style):
    x, W, b, config = problem
    stride, pad = as_given(config["stride"], style), as_given(config["pad"], style)
    got, what = _call(student, x, W, b, stride, pad)
    assert_close_or_diagnose(got, _reference(x, W, b, stride, pad), f"{what} in float64",
                             diagnose=lambda: _diagnose(got, x, W, b, stride, pad))


@settings(max_examples=8)
@given(problem=problems(torch.float32, max_channels=3))
def test_matches_reference_float32(student, problem):
    x, W, b, config = problem
    stride, pad = config["stride"], config["pad"]
    got, what = _call(student, x, W, b, stride, pad)
    scale = float(x.abs().max()) * float(W.abs().max())
    rtol, atol = tolerances(torch.float32, terms=W[0].numel(), scale=scale)
    assert_close_or_diagnose(got, _reference(x, W, b, stride, pad).float(),
                             f"{what} in float32", rtol=rtol, atol=atol,
                             diagnose=lambda: _diagnose(got, x, W, b, stride, pad))


@settings(max_examples=4)
@given(problem=problems(bias=True, max_batch=1, max_channels=2, max_side=4))
def test_gradient(student, problem):
    x, W, b, config = problem
    check_gradient(student, "conv2d", [x, W, b], wrt=[0, 1, 2],
                   kwargs={"stride": config["stride"], "pad": config["pad"]},
                   what=_what(x, W, b, config["stride"], config["pad"]), reference=_reference)


def test_device_agnostic(student):
    x, W, b = gs.gaussian((2, 3, 5, 4), 0), gs.gaussian((4, 3, 3, 2), 1), gs.gaussian((4,), 2)
    check_on_meta(student, "conv2d", [x, W, b], {"stride": (2, 1), "pad": (1, 0)},
                  "conv2d(x, W, b, stride=(2, 1), pad=(1, 0))", wrt=(0, 1, 2))


def test_gpu_parity(student):
    x, W, b = gs.gaussian((2, 3, 6, 5), 14), gs.gaussian((4, 3, 3, 2), 15), gs.gaussian((4,), 16)
    check_parity(student, "conv2d", [x, W, b], "conv2d(x, W, b, stride=(2, 1), pad=1)",
                 wrt=[0, 1, 2], kwargs={"stride": (2, 1), "pad": 1}, terms=3 * 3 * 2,
                 reference=lambda x, W, b: F.conv2d(x.cpu(), W.cpu(), b.cpu(), (2, 1), 1))


def test_from_scratch(student):
    """Runs last: also sees banned calls made by any earlier check."""
    student.call("conv2d", gs.gaussian((1, 2, 4, 4), 1), gs.gaussian((3, 2, 2, 2), 2),
                 None, stride=1, pad=1)
