"""cross_entropy(y_hat, y): mean of -log y_hat[i, y_i] over the batch (probabilities in)."""
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.devices import check_device
from grader.compare import assert_close, assert_meta
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor


@st.composite
def batches(draw, dtype=torch.float64):
    """(y_hat, y): strictly positive probability rows and valid labels."""
    y_hat = draw(gs.probabilities(dtype))
    y = draw(gs.labels_for(y_hat.shape[0], y_hat.shape[1]))
    return y_hat, y


def reference(y_hat, y):
    return F.nll_loss(y_hat.double().log(), y).to(y_hat.dtype)


def _diagnose(got, y_hat, y) -> str:
    ref = reference(y_hat, y).double()
    picked = y_hat.double()[torch.arange(len(y)), y]
    known = {
        "you summed over the batch; return the MEAN": -picked.log().sum(),
        "this is the log of the mean probability; cross-entropy is the mean of the "
        "logs: -log(p).mean(), not -log(p.mean())": -picked.mean().log(),
        "y_hat was treated as logits (a softmax or log_softmax was applied to it); "
        "y_hat already holds probabilities: take -log of the true class's entry":
            F.nll_loss(torch.log_softmax(y_hat.double(), dim=1), y),
        "the log is base 10 (or 2); cross-entropy uses the natural log, torch.log":
            -picked.log10().mean(),
        "the mean probability of the true class was returned without the log: "
        "cross-entropy is -log p": -picked.mean(),
        "the sign is flipped: cross-entropy is -log p": picked.log().mean(),
        "the base-2 log was used; cross-entropy uses the natural log, torch.log":
            -picked.log2().mean(),
        "y_hat[:, y] picks a whole (batch x batch) block; index with "
        "y_hat[torch.arange(n), y] or gather": -y_hat.double()[:, y].log().mean(),
        "you took the log of every probability, not just the true class's":
            -y_hat.double().log().mean(),
    }
    if got.numel() != 1:
        return "return a 0-dim tensor (the mean over the batch), not one value per example"
    for hint, wrong in known.items():
        if not torch.allclose(wrong, ref) and torch.allclose(got.double().reshape(()), wrong):
            return hint
    # -log(p + eps) or -log(clamp(p, eps)) differs from the loss by little (it fails only
    # the tight float64 comparison): told apart, and matched, at a tight tolerance.
    for eps in EPSILONS:
        for wrong in (-(picked + eps).log().mean(), -picked.clamp_min(eps).log().mean()):
            if not torch.allclose(wrong, ref, rtol=1e-10, atol=1e-12) and torch.allclose(
                    got.double().reshape(()), wrong, rtol=1e-10, atol=1e-12):
                return EPSILON_HINT
    return ""


EPSILONS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
EPSILON_HINT = ("an epsilon added inside the log (log(p + eps)) or a clamp changes the loss "
                "by more than rounding when a true class has a small probability; take "
                "-log of the probability itself (y_hat holds no zeros here)")


@given(batch=batches())
def test_output_contract(student, batch):
    y_hat, y = batch
    result = student.run("cross_entropy", y_hat, y, return_inputs=True)
    expect_tensor(result.output, "cross_entropy(y_hat, y)")
    assert_meta(result.output_info, "cross_entropy(y_hat, y)", shape=(), dtype=y_hat.dtype,
                device="cpu")
    if not (torch.equal(result.inputs_after[0], y_hat) and torch.equal(result.inputs_after[1], y)):
        raise CheckFailure("cross_entropy changed y_hat or y in place; leave the inputs unchanged")


@given(batch=batches())
def test_matches_reference_float64(student, batch):
    y_hat, y = batch
    got = expect_tensor(student.call("cross_entropy", y_hat, y), "cross_entropy(y_hat, y)")
    assert_close(got.reshape(()) if got.numel() == 1 else got, reference(y_hat, y),
                 "cross_entropy(y_hat, y) in float64", hint=lambda: _diagnose(got, y_hat, y))


@given(batch=batches(torch.float32))
def test_matches_reference_float32(student, batch):
    y_hat, y = batch
    got = expect_tensor(student.call("cross_entropy", y_hat, y), "cross_entropy(y_hat, y)")
    assert_close(got.reshape(()) if got.numel() == 1 else got, reference(y_hat, y),
                 "cross_entropy(y_hat, y) in float32", hint=lambda: _diagnose(got, y_hat, y))


# p stops short of 1: there the other classes' probabilities would be exactly 0, which
# this check is not about (a one-hot formula, sum(onehot * log y_hat), gives 0 * -inf = NaN
# there, and the stub asks nothing about zero probabilities).
@given(p=st.floats(1e-6, 1.0 - 1e-6, allow_subnormal=False), classes=st.integers(2, 5))
def test_single_example_value(student, p, classes):
    """One example whose true class has probability p gives exactly -log p."""
    rest = (1.0 - p) / (classes - 1)
    y_hat = torch.full((1, classes), rest, dtype=torch.float64)
    y_hat[0, classes - 1] = p
    y = torch.tensor([classes - 1])
    got = expect_tensor(student.call("cross_entropy", y_hat, y), "cross_entropy(y_hat, y)")
    expected = -torch.log(torch.tensor(p, dtype=torch.float64))
    if got.numel() != 1:
        raise CheckFailure(f"cross_entropy returned shape {tuple(got.shape)}; expected a 0-dim tensor")
    assert_close(got.double().reshape(()), expected, "cross_entropy of one example",
                 hint=lambda: _diagnose(got, y_hat, y))


@settings(max_examples=8)
@given(batch=batches())
def test_gradient(student, batch):
    y_hat, y = batch
    check_gradient(student, "cross_entropy", [y_hat, y], wrt=[0], what="cross_entropy(y_hat, y)",
                   reference=reference)


def test_device_agnostic(student):
    y_hat = torch.softmax(gs.gaussian((4, 3), 2), dim=1)
    y = torch.tensor([0, 2, 1, 2])
    check_device(student, "cross_entropy", [y_hat, y], "cross_entropy(y_hat, y)", wrt=[0])


def test_gpu_parity(student):
    y_hat = torch.softmax(gs.gaussian((5, 4), 8), dim=1)
    y = torch.tensor([0, 3, 1, 2, 3])
    check_parity(student, "cross_entropy", [y_hat, y], "cross_entropy(y_hat, y)",
                 reference=reference)


def test_from_scratch(student):
    student.call("cross_entropy", torch.tensor([[0.2, 0.8]], dtype=torch.float64),
                 torch.tensor([1]))
