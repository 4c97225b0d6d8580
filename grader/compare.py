"""Tensor comparisons whose failure messages a student can act on.

Tolerances follow ``../shared/notes/checking.md`` §6.2: torch's defaults for
elementwise results, and for sums of K products (matmul, conv) an absolute
tolerance that grows with the size of the terms, because a correct float32
im2col convolution differs from ``F.conv2d`` by more than the defaults once
K = C*KH*KW >= 144.
"""
import math

import torch

from grader.errors import CheckFailure

DEFAULT_TOLERANCES = {torch.float64: (1e-7, 1e-7), torch.float32: (1.3e-6, 1e-5),
                      torch.float16: (1e-3, 1e-5)}
EPS = {torch.float64: 2.2e-16, torch.float32: 1.2e-7, torch.float16: 9.8e-4}


def tolerances(dtype: torch.dtype, terms: int = 1, scale: float = 1.0) -> tuple[float, float]:
    """(rtol, atol) for a result that sums ``terms`` products of size ``scale``."""
    rtol, atol = DEFAULT_TOLERANCES.get(dtype, (1e-7, 1e-7))
    if terms > 1:
        atol = max(atol, 4 * EPS.get(dtype, 1e-16) * math.sqrt(terms) * scale)
        rtol = max(rtol, 1e-5 if dtype == torch.float32 else rtol)
    return rtol, atol


def assert_close(got, expected: torch.Tensor, what: str, rtol=None, atol=None,
                 hint=""):
    """Fail unless ``got`` matches ``expected`` in shape, dtype and values."""
    if not isinstance(got, torch.Tensor):
        raise CheckFailure(f"{what} returned {type(got).__name__}, expected a tensor")
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailure(f"{what} has shape {tuple(got.shape)}, expected "
                           f"{tuple(expected.shape)}{_hint(hint)}")
    if got.dtype != expected.dtype:
        raise CheckFailure(f"{what} has dtype {got.dtype}, expected {expected.dtype} "
                           f"(keep the input's dtype){_hint(hint)}")
    default_rtol, default_atol = tolerances(expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    problem = describe_mismatch(got, expected, rtol, atol)
    if problem:
        raise CheckFailure(f"{what} does not match the expected values: {problem}{_hint(hint)}")


def describe_mismatch(got: torch.Tensor, expected: torch.Tensor, rtol: float,
                      atol: float) -> str:
    """Empty if close; else counts, worst element, max abs/rel error, tolerances."""
    got64, exp64 = got.double(), expected.double()
    # Most comparisons pass, and a grading run makes thousands: one call decides.
    # Same rule as below: NaN is never close, equal infinities are.
    if torch.allclose(got64, exp64, rtol=rtol, atol=atol):
        return ""
    finite = torch.isfinite(got64) & torch.isfinite(exp64)
    diff = torch.where(finite, (got64 - exp64).abs(), torch.full_like(got64, math.inf))
    bad = ~((got64 == exp64) | (finite & (diff <= atol + rtol * exp64.abs())))
    if not bool(bad.any()):
        return ""
    rel = torch.where(finite, diff / exp64.abs().clamp_min(1e-300), diff)
    worst = int(torch.argmax(torch.where(bad, diff, torch.zeros_like(diff))))
    index = _unravel(worst, tuple(got.shape))
    return (f"{int(bad.sum())} of {bad.numel()} elements differ; worst at index "
            f"{index}: got {_num(got64.reshape(-1)[worst])}, expected "
            f"{_num(exp64.reshape(-1)[worst])}; max abs error "
            f"{_num(diff[bad].max())}, max rel error {_num(rel[bad].max())} "
            f"(allowed: atol={atol:.3g}, rtol={rtol:.3g})")


def assert_meta(info: dict, what: str, shape=None, dtype=None, device=None):
    """Check where and how the student's output tensor was made."""
    if shape is not None and tuple(info.get("shape", ())) != tuple(shape):
        raise CheckFailure(f"{what} has shape {tuple(info.get('shape', ()))}, "
                           f"expected {tuple(shape)}")
    if dtype is not None and info.get("dtype") != str(dtype).replace("torch.", ""):
        raise CheckFailure(f"{what} has dtype {info.get('dtype')}, expected "
                           f"{str(dtype).replace('torch.', '')} (the input's dtype)")
    if device is not None and info.get("device") != str(device):
        raise CheckFailure(f"{what} is on device {info.get('device')}, expected {device} "
                           "(the input's device); create new tensors with "
                           "device=x.device or *_like functions")


def _unravel(flat: int, shape: tuple) -> list[int]:
    """Index of element ``flat`` in a row-major tensor of ``shape``.

    ``torch.unravel_index`` would import sympy (about 1 s) into the scorer.
    """
    index = []
    for size in reversed(shape):
        flat, position = divmod(flat, size)
        index.append(position)
    return index[::-1]


def _num(value) -> str:
    return f"{float(value):.6g}"


def _hint(hint) -> str:
    """``hint`` may be a function, called only on failure (diagnosing a match is costly)."""
    if callable(hint):
        try:
            hint = hint()
        except Exception:  # noqa: BLE001 - an output it cannot diagnose: the failure stands, unnamed
            hint = ""
    return f". Hint: {hint}" if hint else ""
