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


def softmax(x):
    return torch.exp(x) / torch.exp(x).sum(1, keepdim=True)


class FakeStudent:
    """Runs ``fn`` in this process; on the fake GPU through ``on_gpu`` when given."""

    def __init__(self, fn=softmax, on_gpu=None, grad_scale=1.0, grad_device=FAKE,
                 no_grad=False, out_device=FAKE, noisy_grads=False):
        self.fn, self.on_gpu, self.grad_scale = fn, on_gpu or fn, grad_scale
        self.grad_device, self.no_grad, self.out_device = grad_device, no_grad, out_device
        self.noisy_grads, self.devices, self.notes = noisy_grads, [], []

    def run(self, name, *args, kwargs=None, seed=0, device=None, grad_wrt=(), upstream=None):
        device = device or "cpu"
        self.devices.append(device)
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
