"""relu(X): elementwise max(X, 0)."""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.devices import check_device
from grader.compare import assert_close, assert_meta
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor

shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)
any_tensor = shapes.flatmap(lambda shape: gs.tensors(shape))


@given(X=any_tensor)
def test_output_contract(student, X):
    result = student.run("relu", X, return_inputs=True)
    expect_tensor(result.output, "relu(X)")
    assert_meta(result.output_info, "relu(X)", shape=X.shape, dtype=X.dtype, device="cpu")
    if not torch.equal(result.inputs_after[0], X):
        raise CheckFailure("relu(X) changed X in place (e.g. X[X < 0] = 0); return a new tensor")


@given(X=any_tensor)
def test_keeps_positives_zeroes_negatives(student, X):
    out = expect_tensor(student.call("relu", X), "relu(X)")
    if out.shape != X.shape:
        raise CheckFailure(f"relu(X) has shape {tuple(out.shape)}, expected {tuple(X.shape)}")
    if bool((out < 0).any()):
        raise CheckFailure("relu(X) has negative entries")
    positive = X > 0
    assert_close(out[positive].double(), X[positive].double(), "relu(X) where X > 0",
                 hint="positive entries must pass through unchanged")
    assert_close(out[~positive].double(), torch.zeros_like(X[~positive]).double(),
                 "relu(X) where X <= 0")


@given(X=any_tensor)
def test_matches_reference_float64(student, X):
    got = expect_tensor(student.call("relu", X), "relu(X)")
    assert_close(got, X.clamp_min(0), "relu(X) in float64")


@given(X=shapes.flatmap(lambda shape: gs.tensors(shape, torch.float32)))
def test_matches_reference_float32(student, X):
    got = expect_tensor(student.call("relu", X), "relu(X)")
    assert_close(got, X.clamp_min(0), "relu(X) in float32")


@settings(max_examples=8)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple), seed=gs.seeds())
def test_gradient(student, shape, seed):
    X = gs.away_from_zero(shape, seed)  # the kink at 0 has no derivative
    check_gradient(student, "relu", [X], wrt=[0], what="relu(X)", seed=seed,
                   reference=lambda X: X.clamp_min(0))


def test_device_agnostic(student):
    check_device(student, "relu", [gs.away_from_zero((3, 4), 3)], "relu(X)", wrt=[0],
                 hint="torch.zeros_like(X) keeps the device; torch.zeros(X.shape) does not")


def test_gpu_parity(student):
    X = gs.away_from_zero((4, 6), 9)
    check_parity(student, "relu", [X], "relu(X)", reference=lambda X: X.clamp_min(0))


def test_from_scratch(student):
    student.call("relu", gs.gaussian((2, 3), 4))
