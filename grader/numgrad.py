"""Numerical-gradient checks of student code, computed in the scoring process.

The student's autograd gives ``J^T u`` for a *random* upstream gradient ``u``
(never all-ones: ``sum(softmax(x))`` is constant, so a sum-of-outputs check
passes a backward that returns zeros).  We compare it with central differences
of the student's own forward, evaluated in the worker at ``x +- eps e_j``
(one request for all of them).  Everything runs in float64, with
``torch.autograd.gradcheck``'s tolerances.

Agreeing with one's own finite differences proves only that the backward
follows the forward: a function that returns a constant passes.  So where the
check names a trusted ``reference``, the student's gradient must equal the
reference's (autograd of the reference in the scoring process); the finite
differences then only explain a mismatch (a wrong forward, or a backward cut
or corrupted by in-place updates).
"""
import numpy as np
import torch

from grader import config
from grader.compare import describe_mismatch
from grader.errors import CheckFailure
from grader.student import expect_tensor


def upstream_like(output: torch.Tensor, seed: int) -> torch.Tensor:
    """A reproducible random upstream gradient with the output's shape."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.standard_normal(tuple(output.shape))).to(output.dtype)


# The reference gradient is exact up to rounding: a correct float64 implementation
# differs from it by ~1e-13, far below the finite differences' tolerances.
REFERENCE_RTOL, REFERENCE_ATOL = 1e-6, 1e-8


def check_gradient(student, name: str, args: list, wrt: list[int], what: str,
                   kwargs: dict | None = None, seed: int = 0, reference=None):
    """Fail unless autograd through ``name`` matches ``reference``'s gradient, or
    (without a reference) central differences of the student's own forward."""
    kwargs = kwargs or {}
    plain = expect_tensor(student.run(name, *args, kwargs=kwargs, seed=seed).output, what)
    upstream = upstream_like(plain, seed)
    result = student.run(name, *args, kwargs=kwargs, seed=seed, grad_wrt=wrt, upstream=upstream)
    if result.no_graph:
        raise CheckFailure(
            f"{what}: the output is not connected to the inputs in the autograd graph, so no "
            "gradient can flow back. Avoid .detach(), .data, .item(), numpy round-trips and "
            "torch.no_grad() inside your function")
    expected = reference_vjp(reference, args, wrt, kwargs, upstream) if reference else None
    for index, (position, grad) in enumerate(zip(wrt, result.grads)):
        if expected is not None and _matches(grad, expected[index]):
            continue
        numeric = numerical_vjp(student, name, args, position, upstream, kwargs, seed)
        _compare(grad, numeric, what, position)
        if expected is not None:
            label = f"{what}, gradient with respect to argument {position + 1}"
            problem = describe_mismatch(grad.double(), expected[index], REFERENCE_RTOL,
                                        REFERENCE_ATOL)
            raise CheckFailure(
                f"{label} does not match the gradient of the reference (random upstream "
                f"gradient, float64): {problem}. It does follow your own forward, so the "
                "forward itself computes something else: fix the value checks first")


def reference_vjp(reference, args: list, wrt: list[int], kwargs: dict,
                  upstream: torch.Tensor) -> list:
    """``J^T u`` of the trusted ``reference`` at ``args``, in float64, in this process.

    ``(f * u).sum().backward()`` rather than ``torch.autograd.grad``: the same
    product, without the extra machinery the latter imports into the scorer.
    """
    leaves = {i: args[i].detach().double().clone().requires_grad_(True) for i in wrt}
    inputs = [leaves.get(i, a) for i, a in enumerate(args)]
    output = reference(*inputs, **kwargs).double()
    if output.shape != upstream.shape:   # the upstream gradient has the student's output's shape
        raise CheckFailure(f"the output has shape {tuple(upstream.shape)}, expected "
                           f"{tuple(output.shape)}: the gradient cannot be compared with the "
                           "reference's; fix the output's shape first")
    (output * upstream.double()).sum().backward()
    return [leaves[i].grad if leaves[i].grad is not None else torch.zeros_like(leaves[i])
            for i in wrt]


def _matches(grad, expected: torch.Tensor) -> bool:
    return (isinstance(grad, torch.Tensor) and tuple(grad.shape) == tuple(expected.shape)
            and not describe_mismatch(grad.double(), expected, REFERENCE_RTOL, REFERENCE_ATOL))


def numerical_vjp(student, name, args, position, upstream, kwargs, seed) -> torch.Tensor:
    """Central-difference estimate of ``J^T u`` with respect to ``args[position]``."""
    eps = config.GRADCHECK_EPS
    base = args[position]
    variants = []
    for index in range(base.numel()):
        for sign in (1.0, -1.0):
            moved = base.clone().reshape(-1)
            moved[index] += sign * eps
            variants.append(tuple(moved.reshape(base.shape) if i == position else a
                                  for i, a in enumerate(args)))
    outputs = student.outputs_for(name, variants, kwargs=kwargs, seed=seed)
    estimate = torch.zeros(base.numel(), dtype=torch.float64)
    for index in range(base.numel()):
        plus, minus = outputs[2 * index], outputs[2 * index + 1]
        estimate[index] = ((plus.double() - minus.double()) * upstream.double()).sum() / (2 * eps)
    return estimate.reshape(base.shape)


def _compare(grad, numeric: torch.Tensor, what: str, position: int):
    label = f"{what}, gradient with respect to argument {position + 1}"
    if grad is None:
        raise CheckFailure(f"{label}: no gradient reaches this input (it is not used, or "
                           "its path to the output was cut by .detach()/.data/no_grad)")
    grad = expect_tensor(grad, label)
    if tuple(grad.shape) != tuple(numeric.shape):
        raise CheckFailure(f"{label} has shape {tuple(grad.shape)}, expected "
                           f"{tuple(numeric.shape)}")
    problem = describe_mismatch(grad.double(), numeric, config.GRADCHECK_RTOL,
                                config.GRADCHECK_ATOL)
    if problem:
        raise CheckFailure(
            f"{label}: autograd through your code disagrees with central differences of "
            f"your own forward (random upstream gradient, float64): {problem}. In-place "
            "updates of tensors that autograd saved, or non-differentiable steps, cause this")
