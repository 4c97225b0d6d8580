"""GPU-vs-CPU parity of student code (checks of kind ``parity``).

With CUDA present, a component runs on the CPU and on the GPU in float64
(tight tolerances: float64 never uses TF32) and float32 (size-aware), and
both are compared with each other and with the trusted reference; outputs
and gradients must stay on the input's device and dtype.  The worker turns
TF32 off before CUDA starts (cuDNN convolutions default to TF32 on
Ampere/Hopper) and reports that it did.  A backward that differs between two
identical GPU runs (atomics in ``index_add_``/``scatter_add_``) is reported
as information, not a failure.  Without CUDA every parity check is skipped
with the reason, so scores are the same on every machine (parity checks are
worth 0 points unless a rubric says otherwise).
"""
import functools

import pytest
import torch

from grader import config
from grader.compare import assert_close, assert_meta, tolerances
from grader.errors import CheckFailure
from grader.numgrad import upstream_like
from grader.student import expect_tensor

NO_GPU = "no CUDA device on this machine: GPU parity not run"
FLOAT64_PARITY = (1e-10, 1e-12)   # rtol, atol: same code, CPU vs GPU, float64


@functools.cache
def cuda_available() -> bool:
    return config.PARITY_DEVICE == "cpu" or torch.cuda.is_available()


def gpu() -> str:
    """The device parity runs on: ``cuda`` (``cpu`` only in the harness's self-test)."""
    return config.PARITY_DEVICE


def gpu_name() -> str:
    """How tensors on that device report it: ``cuda:0`` (or ``cpu``)."""
    return "cuda:0" if gpu() == "cuda" else gpu()


def require_gpu():
    if not cuda_available():
        pytest.skip(NO_GPU)


def _to(value, dtype):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_to(v, dtype) for v in value)
    return value


def check_parity(student, name: str, args: list, what: str, wrt: list[int] = (0,),
                 kwargs: dict | None = None, reference=None, terms: int = 1, seed: int = 0):
    """CPU vs GPU (and vs ``reference(*args)`` on the CPU), outputs and gradients."""
    require_gpu()
    for dtype in (torch.float64, torch.float32):
        typed = _to(list(args), dtype)
        cpu = student.run(name, *typed, kwargs=kwargs, seed=seed)
        out = expect_tensor(cpu.output, what)
        upstream = upstream_like(out, seed)
        runs = {device: student.run(name, *typed, kwargs=kwargs, seed=seed, device=device,
                                    grad_wrt=list(wrt), upstream=upstream)
                for device in ("cpu", gpu())}
        _same_place(runs[gpu()], what, dtype)
        rtol, atol = FLOAT64_PARITY if dtype == torch.float64 else tolerances(
            dtype, terms, scale=float(out.abs().mean()) + 1e-12)
        label = f"{what} on the GPU vs the CPU, {str(dtype).replace('torch.', '')}"
        assert_close(runs[gpu()].output, runs["cpu"].output, label, rtol=rtol, atol=atol)
        for index, (g_gpu, g_cpu) in enumerate(zip(runs[gpu()].grads, runs["cpu"].grads)):
            if g_gpu is None or g_cpu is None:
                raise CheckFailure(f"{label}: no gradient reaches argument {wrt[index] + 1}")
            assert_close(g_gpu, g_cpu, f"{label}, gradient of argument {wrt[index] + 1}",
                         rtol=rtol, atol=atol)
        if reference is not None and dtype == torch.float64:
            assert_close(runs[gpu()].output, reference(*typed).to(dtype),
                         f"{what} on the GPU vs the reference")
    _nondeterminism_note(student, name, args, what, wrt, kwargs, seed)


def _same_place(result, what: str, dtype):
    assert_meta(result.output_info, f"{what} for a CUDA input", dtype=dtype, device=gpu_name())
    grads = [info for info in result.infos[1:] if info.get("device") != gpu_name()]
    if grads:
        raise CheckFailure(f"{what}: a gradient came back on {grads[0]['device']}, not on "
                           f"the input's device {gpu_name()}")


def _nondeterminism_note(student, name, args, what, wrt, kwargs, seed):
    typed = _to(list(args), torch.float32)
    out = expect_tensor(student.run(name, *typed, kwargs=kwargs, seed=seed).output, what)
    upstream = upstream_like(out, seed)
    first, second = (student.run(name, *typed, kwargs=kwargs, seed=seed, device=gpu(),
                                 grad_wrt=list(wrt), upstream=upstream) for _ in range(2))
    if any(not torch.equal(a, b) for a, b in zip(first.grads, second.grads)
           if a is not None and b is not None):
        student.info(f"note: the backward of {what} is not deterministic on the GPU (two "
                     "identical runs differ, typically atomics in index_add_/scatter_add_); "
                     "not counted against you")
