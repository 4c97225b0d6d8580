"""dropout(x, dropout_ratio=0.5, training=True): inverted dropout, ratio = DROP probability."""
import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.checks.hw2._common import check_on_meta, inputs_unchanged
from grader.compare import assert_close, assert_meta
from grader.errors import CheckFailure, StudentError
from grader.parity import gpu, gpu_name, require_gpu
from grader.student import expect_tensor

KEEP_NOT_DROP = ("about 1 - ratio of the elements were dropped: dropout_ratio is the "
                 "probability of DROPPING an element, not of keeping it")
SCALE_HINTS = {
    "by_ratio": "kept elements were divided by dropout_ratio; divide by (1 - dropout_ratio)",
    "times_ratio": "kept elements were multiplied by dropout_ratio; inverted dropout divides "
                   "them by (1 - dropout_ratio)",
    "times_keep": "kept elements were multiplied by (1 - dropout_ratio); inverted dropout "
                  "divides by it instead",
    "unscaled": "kept elements were not rescaled; inverted dropout divides them by "
                "(1 - dropout_ratio) so the expected value stays the same",
}
ratios = st.sampled_from([0.2, 0.3, 0.6, 0.75])  # not 0.5: there keep == drop


def _nonzero_input(shape, seed, dtype=torch.float64):
    """Entries at least 0.1 away from 0, so an output of 0 means 'dropped'."""
    return gs.away_from_zero(shape, seed, dtype, margin=0.1)


def _scale_hint(out: torch.Tensor, x: torch.Tensor, p: float) -> str:
    kept = out != 0
    if not bool(kept.any()):
        return ""
    factor = float((out[kept].double() / x[kept].double()).median())
    guesses = {"by_ratio": 1 / p, "times_ratio": p, "times_keep": 1 - p, "unscaled": 1.0}
    for key, value in guesses.items():
        if abs(factor - value) < 1e-6 * max(1.0, value) and abs(value - 1 / (1 - p)) > 1e-9:
            return SCALE_HINTS[key]
    return ""


@settings(max_examples=6)
@given(dtype=st.sampled_from([torch.float64, torch.float32]), seed=gs.seeds(),
       shape=st.sampled_from([(7,), (4, 5), (2, 3, 4)]))
def test_output_contract(student, dtype, seed, shape):
    x = _nonzero_input(shape, seed, dtype)
    result = student.run("dropout", x, 0.5, kwargs={"training": True}, return_inputs=True)
    expect_tensor(result.output, "dropout(x, 0.5)")
    assert_meta(result.output_info, "dropout(x, 0.5)", shape=x.shape, dtype=dtype, device="cpu")
    inputs_unchanged(result, ["x"], "dropout(x, 0.5)")


@settings(max_examples=8)
@given(seed=gs.seeds(), ratio=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
       dtype=st.sampled_from([torch.float64, torch.float32]))
def test_eval_identity(student, seed, ratio, dtype):
    x = _nonzero_input((6, 5), seed, dtype)
    out = expect_tensor(student.call("dropout", x, ratio, training=False),
                        f"dropout(x, {ratio}, training=False)")
    assert_close(out, x, f"dropout(x, {ratio}, training=False)", rtol=0, atol=0,
                 hint="when training is False dropout does nothing: return x unchanged "
                      "(no mask, no scaling)")


def test_edge_ratios(student):
    x = _nonzero_input((50, 40), 3)
    same = expect_tensor(student.call("dropout", x, 0.0, training=True), "dropout(x, 0.0)")
    assert_close(same, x, "dropout(x, 0.0) (nothing dropped, scale 1)",
                 hint="with dropout_ratio 0 every element is kept and 1/(1 - 0) = 1")
    zeros = expect_tensor(student.call("dropout", x, 1.0, training=True), "dropout(x, 1.0)")
    if not bool(torch.isfinite(zeros).all()):
        raise CheckFailure("dropout(x, 1.0) contains NaN or inf. Hint: with dropout_ratio 1 "
                           "every element is dropped; return zeros instead of dividing by "
                           "1 - 1 = 0")
    assert_close(zeros, torch.zeros_like(x), "dropout(x, 1.0) (everything dropped)",
                 hint="with dropout_ratio 1 every element is dropped")
    for bad in (1.5, -0.2):   # the stub: "raise ValueError if it is outside [0, 1]"
        try:
            student.call("dropout", x, bad, training=True)
        except StudentError as exc:
            if exc.exc_type != "ValueError":
                raise CheckFailure(f"dropout(x, {bad}) raised {exc.exc_type}; a ratio outside "
                                   "[0, 1] must raise ValueError") from None
            continue
        raise CheckFailure(f"dropout(x, {bad}) returned a result; a ratio outside [0, 1] must "
                           "raise ValueError (if not 0 <= dropout_ratio <= 1: raise "
                           "ValueError(...))")


@settings(max_examples=10)
@given(seed=gs.seeds(), ratio=ratios, dtype=st.sampled_from([torch.float64, torch.float32]),
       shape=st.sampled_from([(64,), (8, 16), (2, 4, 8)]))
def test_values_kept_or_scaled(student, seed, ratio, dtype, shape):
    x = _nonzero_input(shape, seed, dtype)
    what = f"dropout(x, {ratio}) in {str(dtype).replace('torch.', '')}"
    out = expect_tensor(student.run("dropout", x, ratio, seed=seed).output, what)
    if tuple(out.shape) != tuple(x.shape) or out.dtype != dtype:
        raise CheckFailure(f"{what} returned shape {tuple(out.shape)} and {out.dtype}, "
                           f"expected x's shape {tuple(x.shape)} and {dtype}")
    kept = out != 0
    expected = torch.where(kept, x / (1 - ratio), torch.zeros_like(x))
    assert_close(out, expected, f"{what}: every element must be 0 or x / (1 - {ratio})",
                 hint=lambda: _scale_hint(out, x, ratio))


def test_drop_rate_and_scaling(student):
    """6-sigma binomial bounds on 2e5 elements; a correct dropout fails with p < 1e-8.

    The input is not constant (entries at least 0.1 away from 0), so the output
    must be built from x: a mask returned without x fails the mean of out / x.
    "Each element is dropped with probability p" holds across calls too: a mask
    that does not change between calls (a fixed pattern, torch seeded inside
    dropout) drops the same elements twice, so the overlap of two calls' dropped
    sets must be p^2, not p.
    """
    x = _nonzero_input((400, 500), 10, torch.float32)
    n = x.numel()
    dropped = {}
    for ratio, seed in ((0.2, 11), (0.7, 12), (0.7, 13)):
        what = f"dropout(x, {ratio}) on {n} elements"
        out = expect_tensor(student.run("dropout", x, ratio, seed=seed).output, what).double()
        if tuple(out.shape) != tuple(x.shape):
            raise CheckFailure(f"{what} returned shape {tuple(out.shape)}, expected x's shape "
                               f"{tuple(x.shape)}")
        rate = float((out == 0).double().mean())
        bound = 6 * math.sqrt(ratio * (1 - ratio) / n)
        if abs(rate - ratio) > bound:
            hint = KEEP_NOT_DROP if abs(rate - (1 - ratio)) <= bound else (
                "each element must be dropped independently with probability dropout_ratio "
                "(mask = torch.rand(x.shape, device=x.device) > dropout_ratio keeps the rest)")
            raise CheckFailure(f"{what}: dropped a fraction {rate:.4f} of the elements, "
                               f"expected {ratio} +- {bound:.4f}. Hint: {hint}")
        mean = float((out / x.double()).mean())
        bound = 6 * math.sqrt(ratio / ((1 - ratio) * n))
        if abs(mean - 1) > bound:
            hint = _scale_hint(out.float(), x, ratio) or (
                "each kept element must be x / (1 - dropout_ratio), so that the mean of "
                "dropout(x) / x is 1")
            raise CheckFailure(f"{what}: the mean of dropout(x) / x is {mean:.4f}, expected "
                               f"1 +- {bound:.4f} (inverted dropout keeps the expectation). "
                               f"Hint: {hint}")
        dropped.setdefault(ratio, []).append(out == 0)
    _independent_calls(*dropped[0.7], 0.7, n)


def _independent_calls(first: torch.Tensor, second: torch.Tensor, ratio: float, n: int):
    """Two calls (separate requests, different seeds) drop independent sets."""
    both = float((first & second).double().mean())
    bound = 6 * math.sqrt(ratio ** 2 * (1 - ratio ** 2) / n)
    if abs(both - ratio ** 2) > bound:
        raise CheckFailure(
            f"two calls of dropout(x, {ratio}) on {n} elements both dropped a fraction "
            f"{both:.4f} of the elements, expected {ratio ** 2:.4f} +- {bound:.4f} for "
            "independent masks: the same elements are dropped on every call. Hint: draw a "
            "new random mask on every call, one random number per element (do not seed "
            "torch or numpy, or reuse a stored or fixed mask, inside dropout)")


@settings(max_examples=4)
@given(seed=gs.seeds(), ratio=st.sampled_from([0.3, 0.6]))
def test_gradient(student, seed, ratio):
    """The gradient follows the mask the same call drew: upstream / (1 - ratio) where
    x was kept, 0 where it was dropped.  Read from that call's own output, so any way
    of drawing the mask (torch, numpy moved to x.device) is judged alike."""
    x = _nonzero_input((3, 4), seed)
    what = f"dropout(x, {ratio})"
    upstream = gs.gaussian((3, 4), seed + 1)
    result = student.run("dropout", x, ratio, kwargs={"training": True}, seed=seed,
                         grad_wrt=[0], upstream=upstream)
    out = expect_tensor(result.output, what)
    if result.no_graph or result.grads[0] is None:
        raise CheckFailure(f"{what}: the output is not connected to x in the autograd graph; "
                           "multiply x by the mask (no .detach(), .data, numpy round-trips "
                           "of x itself or torch.no_grad() inside dropout)")
    if tuple(out.shape) != tuple(x.shape):
        raise CheckFailure(f"{what} returned shape {tuple(out.shape)}, expected {tuple(x.shape)}")
    expected = upstream * (out != 0).to(upstream.dtype) / (1 - ratio)
    assert_close(expect_tensor(result.grads[0], f"the gradient of {what}"), expected,
                 f"{what}: gradient with respect to x (random upstream gradient, float64)",
                 hint="where dropout kept x the gradient is upstream / (1 - ratio), where it "
                      "dropped x it is 0; in-place updates of x or of a tensor autograd saved "
                      "break this")


def test_device_agnostic(student):
    x = gs.gaussian((4, 5), 0)
    check_on_meta(student, "dropout", [x, 0.5], {"training": True}, "dropout(x, 0.5)")


def test_gpu_parity(student):
    """CPU and CUDA draw different random numbers: compare properties, not elements."""
    require_gpu()
    x = torch.ones(400, 500, dtype=torch.float32) * 2.0
    result = student.run("dropout", x, 0.3, kwargs={"training": True}, device=gpu(), seed=3)
    assert_meta(result.output_info, "dropout on the GPU", dtype=torch.float32, device=gpu_name())
    out = expect_tensor(result.output, "dropout on the GPU")
    kept = out != 0
    if not bool(torch.isclose(out[kept], torch.tensor(2.0 / 0.7)).all()):
        raise CheckFailure("dropout on the GPU: kept values are not x / (1 - p)")
    rate = 1 - float(kept.double().mean())
    bound = 6 * (0.3 * 0.7 / x.numel()) ** 0.5
    if abs(rate - 0.3) > bound:
        raise CheckFailure(f"dropout on the GPU dropped {rate:.4f} of the units, expected "
                           f"0.3 +- {bound:.4f}")


def test_from_scratch(student):
    """Runs last: also sees banned calls made by any earlier check."""
    student.call("dropout", gs.gaussian((2, 3), 1), 0.5)
