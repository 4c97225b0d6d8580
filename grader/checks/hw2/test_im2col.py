"""im2col(x, kernel_size, stride=1, pad=0): (N, C, H, W) -> (N*OH*OW, C*KH*KW).

Rows are ordered (n, oh, ow), columns (c, kh, kw), zero padding on every side:
``F.unfold(x, k, padding=p, stride=s).transpose(1, 2).reshape(N*OH*OW, -1)``.
"""
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
from grader.compare import assert_close, assert_meta
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor

MISSING_PLUS_ONE = ("you have one window too few per axis: OH = (H + 2*PH - KH) // SH + 1 "
                    "(do not forget the + 1)")
PAD_TOTAL = ("padding looks like pad // 2 per side; pad is the padding added on EVERY side "
             "(F.pad(x, (PW, PW, PH, PH)))")
NO_PAD = "padding seems to be missing: add pad zeros on every side before taking windows"
COLUMN_ORDER = ("columns are ordered (kh, kw, c); the spec orders them (c, kh, kw): permute "
                "to (N, OH, OW, C, KH, KW) before reshaping")
TRANSPOSED = ("the result is transposed (CS231n's layout): return (N*OH*OW, C*KH*KW), one "
              "ROW per window")
ROW_ORDER = ("rows are ordered (oh, ow, n) or similar; the spec orders them (n, oh, ow): "
             "the batch index varies slowest")
KH_KW_SWAPPED = ("kernel height and width (or stride/pad height and width) look swapped: "
                 "pairs are (height, width)")


def _diagnose(got: torch.Tensor, x: torch.Tensor, kernel, stride, pad) -> str:
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(pad)
    N, C, H, W = x.shape
    ref = ref_im2col(x, kernel, stride, pad)
    oh, ow = out_hw(H, W, kernel, stride, pad)
    if got.dim() == 2 and got.shape[0] == N * max(oh - 1, 0) * max(ow - 1, 0) != ref.shape[0]:
        return MISSING_PLUS_ONE
    candidates = {}
    if ph or pw:
        candidates[PAD_TOTAL] = ref_im2col(x, kernel, stride, (ph // 2, pw // 2)) \
            if min(H + 2 * (ph // 2) - kh, W + 2 * (pw // 2) - kw) >= 0 else None
        candidates[NO_PAD] = ref_im2col(x, kernel, stride, 0) \
            if min(H - kh, W - kw) >= 0 else None
    cols = ref.reshape(N, oh * ow, C, kh, kw)
    candidates[COLUMN_ORDER] = cols.permute(0, 1, 3, 4, 2).reshape(ref.shape)
    candidates[TRANSPOSED] = ref.T
    candidates[ROW_ORDER] = ref.reshape(N, oh * ow, -1).transpose(0, 1).reshape(ref.shape)
    if (kh, sh, ph) != (kw, sw, pw) and min(H + 2 * pw - kw, W + 2 * ph - kh) >= 0:
        candidates[KH_KW_SWAPPED] = ref_im2col(x, (kw, kh), (sw, sh), (pw, ph))
    candidates.update(_window_mistakes(x, (kh, kw), (sh, sw), (ph, pw), oh, ow))
    return matching_hint(got, {h: w for h, w in candidates.items()
                               if w is not None and differs(w, ref)})


def _as_windows(cols: torch.Tensor, N: int, oh_full: int, ow_full: int, oh: int, ow: int):
    """im2col rows of a larger window grid, cut to its first (oh, ow) positions."""
    grid = cols.reshape(N, oh_full, ow_full, -1).permute(0, 3, 1, 2)
    kept = cropped(grid, oh, ow)
    return None if kept is None else kept.permute(0, 2, 3, 1).reshape(N * oh * ow, -1)


def _window_mistakes(x, kernel, stride, pad, oh, ow) -> dict:
    """A slice without its step; F.pad's tuple in (height, width) order."""
    N, C, H, W = x.shape
    found = {}
    for step in stride_variants(stride):
        full = ref_im2col(x, kernel, step, pad)
        found.setdefault(MISSING_STRIDE, _as_windows(full, N, *out_hw(H, W, kernel, step, pad),
                                                     oh, ow))
    (ph, pw) = pair(pad)
    if ph != pw:
        # Padded (PW, PH) instead of (PH, PW); zeros past the end where the windows the
        # student counted (from the right padding) run over the smaller side.
        padded = swapped_padding(x, pad)
        (kh, kw), (sh, sw) = kernel, stride
        padded = F.pad(padded, (0, max(0, (ow - 1) * sw + kw - padded.shape[3]),
                                0, max(0, (oh - 1) * sh + kh - padded.shape[2])))
        full = ref_im2col(padded, kernel, stride, 0)
        found[PAD_ORDER] = _as_windows(full, N, *out_hw(*padded.shape[2:], kernel, stride, 0),
                                       oh, ow)
    return found


def _suffix(hint: str) -> str:
    return f". Hint: {hint}" if hint else ""


def _call(student, x, config, style="tuple"):
    kernel = as_given(config["kernel"], style)
    stride, pad = as_given(config["stride"], style), as_given(config["pad"], style)
    what = f"im2col(x of shape {tuple(x.shape)}, {kernel}, stride={stride}, pad={pad})"
    out = expect_tensor(student.call("im2col", x, kernel, stride=stride, pad=pad), what)
    return out, what


@settings(max_examples=8)
@given(config=gs.conv_configs(), seed=gs.seeds(),
       dtype=st.sampled_from([torch.float64, torch.float32]))
def test_output_contract(student, config, seed, dtype):
    x = image(config, seed, dtype)
    kernel, stride, pad = config["kernel"], config["stride"], config["pad"]
    what = f"im2col(x of shape {tuple(x.shape)}, {kernel}, stride={stride}, pad={pad})"
    result = student.run("im2col", x, kernel, kwargs={"stride": stride, "pad": pad},
                         return_inputs=True)
    out = expect_tensor(result.output, what)
    oh, ow = out_hw(config["H"], config["W"], kernel, stride, pad)
    shape = (config["N"] * oh * ow, config["C"] * kernel[0] * kernel[1])
    if tuple(out.shape) != shape:
        raise CheckFailure(f"{what} has shape {tuple(out.shape)}, expected (N*OH*OW, C*KH*KW) "
                           f"= {shape} with OH = (H + 2*PH - KH)//SH + 1 = {oh}, OW = {ow}"
                           f"{_suffix(_diagnose(out, x.double(), kernel, stride, pad))}")
    assert_meta(result.output_info, what, shape=shape, dtype=dtype, device="cpu")
    inputs_unchanged(result, ["x"], what)


@settings(max_examples=8)
@given(config=gs.conv_configs(), seed=gs.seeds())
def test_int_and_tuple_args(student, config, seed):
    k, s, p = config["kernel"][0], config["stride"][0], config["pad"][0]
    config = dict(config, kernel=(k, k), stride=(s, s), pad=(p, p),
                  H=max(config["H"], k - 2 * p), W=max(config["W"], k - 2 * p))
    x = image(config, seed)
    expected = ref_im2col(x, k, s, p)
    as_ints = expect_tensor(student.call("im2col", x, k, s, p),
                            f"im2col(x, {k}, {s}, {p}) with int arguments")
    assert_close_or_diagnose(as_ints, expected, f"im2col(x, {k}, {s}, {p}) with int arguments",
                             diagnose=lambda: _diagnose(as_ints, x, k, s, p))
    as_pairs = expect_tensor(student.call("im2col", x, (k, k), stride=(s, s), pad=(p, p)),
                             f"im2col(x, ({k}, {k}), stride=({s}, {s}), pad=({p}, {p}))")
    assert_close(as_pairs, expected, f"im2col with (int, int) arguments, ({k}, {k}), "
                 f"stride=({s}, {s}), pad=({p}, {p})",
                 hint="kernel_size, stride and pad may each be an int or a (height, width) "
                      "pair")


KNOWN = [  # (description, x, kernel, stride, pad, expected rows)
    ("a 3x3 image 0..8 with kernel = stride = 3",
     torch.arange(9.).reshape(1, 1, 3, 3), 3, 3, 0, [list(range(9))]),
    ("a 2-channel 3x3 image 0..17 with kernel 3 (columns ordered c, kh, kw)",
     torch.arange(18.).reshape(1, 2, 3, 3), 3, 1, 0, [list(range(18))]),
    ("a 4x4 image 0..15 with kernel = stride = 2 (rows ordered oh, ow)",
     torch.arange(16.).reshape(1, 1, 4, 4), 2, 2, 0,
     [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]),
    ("the 2x2 image [[1, 2], [3, 4]] with kernel 3 and pad 1 (zero padding)",
     torch.arange(1., 5.).reshape(1, 1, 2, 2), 3, 1, 1,
     [[0, 0, 0, 0, 1, 2, 0, 3, 4], [0, 0, 0, 1, 2, 0, 3, 4, 0],
      [0, 1, 2, 0, 3, 4, 0, 0, 0], [1, 2, 0, 3, 4, 0, 0, 0, 0]]),
    ("a batch of two 2x2 images 0..7 with kernel 2 (rows ordered n first)",
     torch.arange(8.).reshape(2, 1, 2, 2), 2, 1, 0, [[0, 1, 2, 3], [4, 5, 6, 7]]),
]


def test_known_patterns(student):
    for description, x, k, s, p, rows in KNOWN:
        x = x.double()
        got = expect_tensor(student.call("im2col", x, k, stride=s, pad=p),
                            f"im2col on {description}")
        expected = torch.tensor(rows, dtype=torch.float64)
        assert_close_or_diagnose(got, expected,
                                 f"im2col(x, {k}, stride={s}, pad={p}) on {description}",
                                 rtol=0, atol=0, diagnose=lambda: _diagnose(got, x, k, s, p))


@settings(max_examples=20)
@given(config=gs.conv_configs(), seed=gs.seeds(), style=arg_styles)
def test_matches_reference_float64(student, config, seed, style):
    x = image(config, seed)
    got, what = _call(student, x, config, style)
    expected = ref_im2col(x, config["kernel"], config["stride"], config["pad"])
    assert_close_or_diagnose(got, expected, f"{what} in float64", diagnose=lambda: _diagnose(
        got, x, config["kernel"], config["stride"], config["pad"]))


@settings(max_examples=8)
@given(config=gs.conv_configs(), seed=gs.seeds())
def test_matches_reference_float32(student, config, seed):
    x = image(config, seed, torch.float32)
    got, what = _call(student, x, config)
    expected = ref_im2col(x, config["kernel"], config["stride"], config["pad"])
    assert_close_or_diagnose(got, expected, f"{what} in float32", rtol=0, atol=0,
                             diagnose=lambda: _diagnose(got, x.double(), config["kernel"],
                                                        config["stride"], config["pad"]))


@settings(max_examples=5)
@given(config=gs.conv_configs(max_batch=1, max_channels=2, max_side=4), seed=gs.seeds())
def test_gradient(student, config, seed):
    x = image(config, seed)
    check_gradient(student, "im2col", [x, config["kernel"]], wrt=[0],
                   kwargs={"stride": config["stride"], "pad": config["pad"]},
                   what=f"im2col(x of shape {tuple(x.shape)}, {config['kernel']}, "
                        f"stride={config['stride']}, pad={config['pad']})", seed=seed,
                   reference=ref_im2col)


def test_device_agnostic(student):
    x = gs.gaussian((2, 3, 5, 4), 0)
    check_on_meta(student, "im2col", [x, (3, 2)], {"stride": (2, 1), "pad": (1, 0)},
                  "im2col(x, (3, 2), stride=(2, 1), pad=(1, 0))")


def test_gpu_parity(student):
    x = gs.gaussian((2, 3, 6, 5), 13)
    check_parity(student, "im2col", [x, (3, 2)], "im2col(x, (3, 2), stride=(2, 1), pad=1)",
                 kwargs={"stride": (2, 1), "pad": 1})


def test_from_scratch(student):
    """Runs last: also sees banned calls made by any earlier check."""
    student.call("im2col", gs.gaussian((1, 2, 4, 4), 1), 2, stride=1, pad=1)
