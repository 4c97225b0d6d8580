"""softmax(X): row-wise softmax over dim 1 of a (batch, classes) tensor."""
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.devices import check_device
from grader.compare import assert_close, assert_meta, tolerances
from grader.errors import CheckFailure
from grader.numgrad import check_gradient
from grader.parity import check_parity
from grader.student import expect_tensor

WRONG_AXIS = "looks like you normalised over dim 0 (columns); each ROW must sum to 1: use dim=1"
NO_KEEPDIM = "looks like the row sums broadcast along the wrong axis: use keepdim=True"


GLOBAL_SUM = ("every entry was divided by the sum over the WHOLE matrix; divide by each "
              "row's own sum: e.sum(dim=1, keepdim=True)")
LOG_SOFTMAX = ("these are log-probabilities (log-softmax): return exp(X - max) / sum, "
               "not its logarithm")
NO_EXP = ("X was normalised without exp: softmax is exp(X) / sum(exp(X)) per row")
SIGMOID = ("each entry went through a sigmoid (1 / (1 + exp(-x))); softmax normalises "
           "exp(X) over each row instead")


def _diagnose(got: torch.Tensor, X: torch.Tensor) -> str:
    """Name a known mistake that explains ``got``, if any."""
    X = X.double()
    e = torch.exp(X - X.max())
    rows = torch.exp(X - X.max(dim=1, keepdim=True).values)
    right = rows / rows.sum(dim=1, keepdim=True)
    candidates = {WRONG_AXIS: e / e.sum(0, keepdim=True), GLOBAL_SUM: e / e.sum(),
                  LOG_SOFTMAX: right.log(), NO_EXP: X / X.sum(dim=1, keepdim=True),
                  SIGMOID: torch.sigmoid(X)}
    if X.shape[0] == X.shape[1]:
        candidates[NO_KEEPDIM] = e / e.sum(1)
    matches = [hint for hint, wrong in candidates.items()
               if got.shape == wrong.shape and not torch.allclose(wrong, right, atol=1e-6)
               and torch.allclose(got.double(), wrong, atol=1e-6)]
    if WRONG_AXIS in matches and GLOBAL_SUM in matches:   # one column: both look the same
        return ("each ROW must be divided by its own sum; this looks like a sum over dim 0 "
                "(columns) or over the WHOLE matrix: use e.sum(dim=1, keepdim=True)")
    return matches[0] if matches else ""


@given(X=gs.matrices(min_cols=2))
def test_output_contract(student, X):
    result = student.run("softmax", X, return_inputs=True)
    expect_tensor(result.output, "softmax(X)")
    assert_meta(result.output_info, "softmax(X)", shape=X.shape, dtype=X.dtype, device="cpu")
    if not torch.equal(result.inputs_after[0], X):
        raise CheckFailure("softmax(X) changed its input X in place; compute on a new tensor")


@given(X=gs.matrices())
def test_rows_sum_to_one(student, X):
    out = expect_tensor(student.call("softmax", X), "softmax(X)")
    if out.shape != X.shape:
        raise CheckFailure(f"softmax(X) has shape {tuple(out.shape)}, expected {tuple(X.shape)}")
    if bool((out < 0).any()):
        raise CheckFailure("softmax(X) has negative entries; probabilities are >= 0")
    sums = out.sum(dim=1)
    assert_close(sums, torch.ones_like(sums), "row sums of softmax(X)",
                 hint=lambda: _diagnose(out, X))


@given(X=gs.matrices(bound=50))
def test_matches_reference_float64(student, X):
    got = expect_tensor(student.call("softmax", X), "softmax(X)")
    assert_close(got, torch.softmax(X, dim=1), "softmax(X) in float64", hint=lambda: _diagnose(got, X))


@given(X=gs.matrices(torch.float32, bound=50))
def test_matches_reference_float32(student, X):
    got = expect_tensor(student.call("softmax", X), "softmax(X)")
    rtol, atol = tolerances(torch.float32)
    assert_close(got, torch.softmax(X.double(), dim=1).float(), "softmax(X) in float32",
                 rtol=rtol, atol=atol, hint=lambda: _diagnose(got, X))


CLIPPED = ("correct for small inputs but not for large ones? Clipping or rescaling the "
           "logits changes the result; subtracting each row's max does not")
# Rows far beyond exp's float32 range (|x| > 88): clipping logits at +-80 is not enough.
LARGE = torch.tensor([[1000.0, 999.0, -1000.0], [-500.0, -501.0, -590.0],
                      [85.0, -85.0, 84.0]], dtype=torch.float32)


@example(X=LARGE)
@given(X=gs.matrices(torch.float32, bound=1e4, min_cols=2))
def test_numerically_stable(student, X):
    """The stub asks for a softmax that is correct at any magnitude: values, not only
    finiteness, are compared with the float64 softmax of the same float32 inputs."""
    out = expect_tensor(student.call("softmax", X), "softmax(X) for large |X|")
    hint = ("exp overflows past 88 in float32; subtract each row's max before exp "
            "(the result does not change)")
    if not bool(torch.isfinite(out).all()):
        raise CheckFailure(f"softmax(X) gave inf or NaN for float32 inputs up to "
                           f"|x| = {float(X.abs().max()):.4g}. Hint: {hint}")
    # float32 rounds x - max(x) (or a log-sum-exp) to about eps32 * |x|.
    slack = 1e-5 + 8 * 1.2e-7 * float(X.abs().max())
    if tuple(out.shape) != tuple(X.shape):
        raise CheckFailure(f"softmax(X) has shape {tuple(out.shape)}, expected {tuple(X.shape)}")
    assert_close(out.double(), torch.softmax(X.double(), dim=1),
                 "softmax(X) for float32 inputs with large |X|", rtol=0, atol=slack,
                 hint=lambda: _diagnose(out, X) or (CLIPPED if float(X.abs().max()) > 80 else ""))


@settings(max_examples=8)
@given(shape=st.tuples(st.integers(1, 4), st.integers(2, 5)), seed=gs.seeds())
def test_gradient(student, shape, seed):
    X = gs.gaussian(shape, seed, scale=3.0)
    check_gradient(student, "softmax", [X], wrt=[0], what="softmax(X)", seed=seed,
                   reference=lambda X: torch.softmax(X, dim=1))


def test_device_agnostic(student):
    check_device(student, "softmax", [gs.gaussian((3, 4), 0)], "softmax(X)", wrt=[0])


def test_gpu_parity(student):
    X = gs.gaussian((4, 5), 7, scale=3.0)
    check_parity(student, "softmax", [X], "softmax(X)", reference=lambda X: torch.softmax(X, 1))


def test_from_scratch(student):
    """Runs last: also sees banned calls made by any earlier check."""
    student.call("softmax", gs.gaussian((2, 3), 1))
