"""grader.parity without a GPU: a fake student whose "GPU" runs can differ from its CPU runs.

``GRADER_PARITY_DEVICE=cpu`` (tests/test_parity_path.py) compares the CPU with
itself, so it cannot notice a parity check that skips a comparison; here the
second device is a stand-in whose outputs, gradients and devices the test picks.
"""
import pytest
import torch

from grader import parity
from grader.errors import CheckFailure
from grader.student import CallResult

FAKE = "fakegpu"
REAL_GPU, REAL_GPU_NAME = parity.gpu, parity.gpu_name   # before the fixture below replaces them


def softmax(x):
    return torch.exp(x) / torch.exp(x).sum(1, keepdim=True)


class FakeStudent:
    """Runs ``fn`` in this process; on the fake GPU through ``on_gpu`` when given."""

    def __init__(self, fn=softmax, on_gpu=None, grad_scale=1.0, grad_device=FAKE,
                 no_grad=False, out_device=FAKE, noisy_grads=False):
        self.fn, self.on_gpu, self.grad_scale = fn, on_gpu or fn, grad_scale
        self.grad_device, self.no_grad, self.out_device = grad_device, no_grad, out_device
        self.noisy_grads, self.devices, self.notes, self.calls = noisy_grads, [], [], []

    def run(self, name, *args, kwargs=None, seed=0, device=None, grad_wrt=(), upstream=None):
        device = device or "cpu"
        self.devices.append(device)
        self.calls.append({"name": name, "kwargs": kwargs, "seed": seed, "device": device,
                           "dtypes": [a.dtype for a in args], "upstream": upstream})
        gpu = device == FAKE
        inputs = [a.detach().clone().requires_grad_(i in grad_wrt) for i, a in enumerate(args)]
        out = (self.on_gpu if gpu else self.fn)(*inputs, **(kwargs or {}))
        grads = []
        if grad_wrt:
            grads = list(torch.autograd.grad(out, [inputs[i] for i in grad_wrt], upstream))
            if gpu:
                grads = [None if self.no_grad else g * self.grad_scale for g in grads]
                if self.noisy_grads:
                    grads = [g + 1e-3 * torch.rand_like(g) for g in grads]
        where = (self.out_device if gpu else "cpu")
        infos = [{"dtype": str(out.dtype).removeprefix("torch."), "device": where,
                  "shape": tuple(out.shape)}]
        infos += [{"device": self.grad_device if gpu else "cpu"} for _ in grads]
        return CallResult(output=out.detach(), infos=infos, grads=grads)

    def info(self, message):
        self.notes.append(message)


@pytest.fixture(autouse=True)
def fake_gpu(monkeypatch):
    monkeypatch.setattr(parity, "cuda_available", lambda: True)
    monkeypatch.setattr(parity, "gpu", lambda: FAKE)
    monkeypatch.setattr(parity, "gpu_name", lambda: FAKE)


X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64)


def check(student, **options):
    parity.check_parity(student, "softmax", [X], "softmax(X)", **options)


def test_the_same_code_on_both_devices_passes_in_both_dtypes():
    student = FakeStudent()
    check(student, reference=softmax)
    assert student.devices.count(FAKE) >= 2 + 2   # float64, float32, then twice for the note
    assert not student.notes


def test_an_output_that_differs_on_the_gpu_fails():
    student = FakeStudent(on_gpu=lambda x: softmax(x) * (1 + 1e-7))
    with pytest.raises(CheckFailure, match="on the GPU vs the CPU, float64"):
        check(student)


def test_a_float32_only_difference_fails_in_float32():
    def off_in_float32(x):
        return softmax(x) * (1 + (1e-3 if x.dtype == torch.float32 else 0))
    with pytest.raises(CheckFailure, match="on the GPU vs the CPU, float32"):
        check(FakeStudent(on_gpu=off_in_float32))


def test_a_gradient_that_differs_on_the_gpu_fails():
    with pytest.raises(CheckFailure, match="gradient of argument 1"):
        check(FakeStudent(grad_scale=1.001))


def test_a_missing_gradient_on_the_gpu_fails():
    with pytest.raises(CheckFailure, match="no gradient reaches argument 1"):
        check(FakeStudent(no_grad=True))


def test_an_output_left_on_the_cpu_fails():
    with pytest.raises(CheckFailure, match="device"):
        check(FakeStudent(out_device="cpu"))


def test_a_gradient_left_on_the_cpu_fails():
    with pytest.raises(CheckFailure, match="a gradient came back on cpu"):
        check(FakeStudent(grad_device="cpu"))


def test_agreeing_devices_that_both_miss_the_reference_fail():
    with pytest.raises(CheckFailure, match="on the GPU vs the reference"):
        check(FakeStudent(fn=lambda x: softmax(x) + 1e-3, on_gpu=lambda x: softmax(x) + 1e-3),
              reference=softmax)


def test_a_nondeterministic_gpu_backward_is_a_note_not_a_failure():
    torch.manual_seed(0)
    student = FakeStudent(noisy_grads=True)
    with pytest.raises(CheckFailure, match="gradient"):   # differs from the CPU: a failure
        check(student)
    repeatable = FakeStudent()
    parity._nondeterminism_note(repeatable, "softmax", [X], "softmax(X)", (0,), None, 0)
    assert not repeatable.notes
    noisy = FakeStudent(noisy_grads=True)
    parity._nondeterminism_note(noisy, "softmax", [X], "softmax(X)", (0,), None, 0)
    assert len(noisy.notes) == 1 and "not deterministic" in noisy.notes[0]


def test_without_a_gpu_the_check_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setattr(parity, "cuda_available", lambda: False)
    with pytest.raises(pytest.skip.Exception, match="no CUDA device"):
        check(FakeStudent())


def scaled_softmax(x, t=1.0):
    return softmax(x / t)


def test_every_run_uses_the_checks_name_arguments_and_seed():
    student = FakeStudent(fn=scaled_softmax)
    parity.check_parity(student, "softmax", [X], "softmax(X)", kwargs={"t": 2.0}, seed=7)
    assert {(c["name"], str(c["kwargs"]), c["seed"]) for c in student.calls} == {
        ("softmax", "{'t': 2.0}", 7)}
    dtypes = [c["dtypes"][0] for c in student.calls]
    assert dtypes == [torch.float64] * 3 + [torch.float32] * 3 + [torch.float32] * 3
    for call in student.calls:
        if call["upstream"] is not None:
            expected = parity.upstream_like(scaled_softmax(X.to(call["dtypes"][0]), 2.0), 7)
            assert torch.equal(call["upstream"], expected)


def test_the_default_seed_is_zero():
    student = FakeStudent()
    check(student)
    assert {c["seed"] for c in student.calls} == {0}


def test_float32_tolerances_are_sized_by_terms_and_output_scale(monkeypatch):
    sized, compared = [], []

    def spy_tolerances(dtype, terms, scale):
        sized.append((dtype, terms, scale))
        return 0.125, 0.25

    monkeypatch.setattr(parity, "tolerances", spy_tolerances)
    monkeypatch.setattr(parity, "assert_close", lambda a, b, what, **tol: compared.append(
        (what, tol)))
    check(FakeStudent())
    check(FakeStudent(), terms=5)
    scale = float(softmax(X.float()).abs().mean()) + 1e-12
    assert sized == [(torch.float32, 1, scale), (torch.float32, 5, scale)]
    float64, float32 = compared[:2], compared[2:4]
    assert all(tol == {"rtol": 1e-10, "atol": 1e-12} for _, tol in float64)
    assert all(tol == {"rtol": 0.125, "atol": 0.25} for _, tol in float32)
    assert [what for what, _ in compared[:4]] == [
        "softmax(X) on the GPU vs the CPU, float64",
        "softmax(X) on the GPU vs the CPU, float64, gradient of argument 1",
        "softmax(X) on the GPU vs the CPU, float32",
        "softmax(X) on the GPU vs the CPU, float32, gradient of argument 1"]


def test_the_reference_is_compared_in_float64_only():
    def off_in_float32(x):
        return softmax(x) + (1e-3 if x.dtype == torch.float32 else 0)
    check(FakeStudent(fn=off_in_float32, on_gpu=off_in_float32), reference=softmax)


def test_a_reference_in_another_dtype_is_compared_as_float64():
    check(FakeStudent(), reference=lambda x: softmax(x).float())


def test_an_output_in_the_wrong_dtype_on_the_gpu_fails_naming_the_check():
    with pytest.raises(CheckFailure) as failure:
        check(FakeStudent(on_gpu=lambda x: softmax(x).to(torch.float16)))
    assert str(failure.value) == ("softmax(X) for a CUDA input has dtype float16, expected "
                                  "float64 (the input's dtype)")


def test_a_cpu_result_that_is_not_a_tensor_names_the_check():
    class ListStudent(FakeStudent):
        def run(self, *args, **kwargs):
            result = super().run(*args, **kwargs)
            return CallResult(output=[1.0], infos=result.infos, grads=result.grads)
    with pytest.raises(CheckFailure, match=r"^softmax\(X\) returned list"):
        check(ListStudent())
    with pytest.raises(CheckFailure, match=r"^softmax\(X\) returned list"):
        parity._nondeterminism_note(ListStudent(), "softmax", [X], "softmax(X)", (0,), None, 0)


def test_the_nondeterminism_note_reruns_the_check_in_float32_with_its_arguments():
    student = FakeStudent(fn=scaled_softmax, noisy_grads=True)
    torch.manual_seed(0)
    parity._nondeterminism_note(student, "softmax", [X], "mean(X)", (0,), {"t": 2.0}, 5)
    assert [(c["name"], c["kwargs"], c["seed"], c["dtypes"]) for c in student.calls] == \
        [("softmax", {"t": 2.0}, 5, [torch.float32])] * 3
    expected = parity.upstream_like(scaled_softmax(X.float(), 2.0), 5)
    assert all(torch.equal(c["upstream"], expected) for c in student.calls[1:])
    assert student.notes == [
        "note: the backward of mean(X) is not deterministic on the GPU (two identical runs "
        "differ, typically atomics in index_add_/scatter_add_); not counted against you"]


def test_a_missing_gpu_gradient_is_no_nondeterminism_note():
    student = FakeStudent(no_grad=True)
    parity._nondeterminism_note(student, "softmax", [X], "softmax(X)", (0,), None, 0)
    assert student.notes == []


def test_a_check_that_passes_notes_a_float32_backward_that_varies_between_gpu_runs():
    class Jittery(FakeStudent):
        def run(self, *args, **kwargs):
            result = super().run(*args, **kwargs)
            if kwargs.get("device") == FAKE and result.grads[0].dtype == torch.float32:
                result.grads[0] = result.grads[0] + 1e-6 * torch.rand_like(result.grads[0])
            return result
    torch.manual_seed(0)
    student = Jittery()
    check(student)
    assert len(student.notes) == 1 and student.notes[0].startswith(
        "note: the backward of softmax(X) is not deterministic")


def test_a_gpu_gradient_missing_in_one_run_only_is_no_nondeterminism_note():
    class Flaky(FakeStudent):
        def run(self, *args, **kwargs):
            result = super().run(*args, **kwargs)
            if kwargs.get("device") == FAKE and len(self.calls) % 2:
                result.grads[0] = None
            return result
    student = Flaky()
    parity._nondeterminism_note(student, "softmax", [X], "softmax(X)", (0,), None, 0)
    assert student.notes == []


def test_the_parity_device_is_named_as_torch_names_its_tensors(monkeypatch):
    monkeypatch.setattr(parity, "gpu", REAL_GPU)
    for device, name in (("cuda", "cuda:0"), ("cpu", "cpu")):
        monkeypatch.setattr(parity.config, "PARITY_DEVICE", device)
        assert REAL_GPU_NAME() == name
