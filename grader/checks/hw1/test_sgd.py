"""SGD(params, lr) with step() and zero_grad(), d2l semantics.

The worker's ``sgd`` probe drives the student's optimiser the way d2l's
Trainer does and injects chosen gradients; we compute what the parameters
must be afterwards and compare.
"""
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import strategies as gs
from grader.compare import assert_close
from grader.errors import CheckFailure
from grader.parity import gpu, require_gpu

SHAPES = [(3, 2), (2,)]


def _problem(seed: int, steps: int, dtype=torch.float64, shapes=SHAPES):
    params = [gs.gaussian(s, seed + i, dtype) for i, s in enumerate(shapes)]
    grads = [[gs.gaussian(s, 1000 * (k + 1) + seed + i, dtype) for i, s in enumerate(shapes)]
             for k in range(steps)]
    return params, grads


def run_sgd(student, params, grads, lr, **options):
    options = {"container": "list", "no_grad": True, "zero_grad": False, **options}
    return student.scenario("sgd", "SGD", {"params": params, "grads": grads, "lr": lr}, **options)


def expected_params(params, grads, lr, zero_grad: bool):
    """Plain SGD; without zero_grad the gradients accumulate across steps."""
    current = [p.clone() for p in params]
    accumulated = [torch.zeros_like(p) for p in params]
    for step in grads:
        accumulated = [g.clone() if zero_grad else a + g for a, g in zip(accumulated, step)]
        current = [p - lr * a for p, a in zip(current, accumulated)]
    return current


def compare_params(got, expected, what, hint=""):
    for index, (g, e) in enumerate(zip(got, expected)):
        assert_close(g, e, f"{what}: parameter {index} after the updates", hint=hint)


REBIND_HINT = ("update each parameter in place (param -= lr * param.grad under "
               "torch.no_grad()); assigning a new tensor to a local name or a list entry "
               "leaves the model's parameters unchanged")


def test_one_step(student):
    params, grads = _problem(0, 1)
    result = run_sgd(student, params, grads, 0.1)
    compare_params(result["params"], expected_params(params, grads, 0.1, False),
                   "one step under torch.no_grad()", REBIND_HINT)


@given(lr=st.floats(1e-3, 2.0), seed=gs.seeds(), steps=st.integers(1, 3),
       rows=st.integers(1, 4), cols=st.integers(1, 4))
def test_update_rule(student, lr, seed, steps, rows, cols):
    params, grads = _problem(seed, steps, shapes=[(rows, cols), (cols,)])
    result = run_sgd(student, params, grads, lr)
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   f"{steps} step(s) with lr={lr:.4g} (gradients accumulate without zero_grad)",
                   "each step must do param <- param - lr * param.grad")


def test_one_step_float32(student):
    params, grads = _problem(1, 1, torch.float32)
    result = run_sgd(student, params, grads, 0.05)
    compare_params(result["params"], expected_params(params, grads, 0.05, False),
                   "one float32 step")


def test_updates_in_place(student):
    params, grads = _problem(2, 1)
    result = run_sgd(student, params, grads, 0.1)
    if not result["same_objects"]:
        raise CheckFailure("step() replaced the parameter tensors; " + REBIND_HINT)
    if all(torch.equal(g, p) for g, p in zip(result["params"], params)):
        raise CheckFailure("step() left every parameter unchanged; " + REBIND_HINT)


def test_zero_grad_before_first_backward(student):
    """d2l's Trainer calls zero_grad before the first backward, when grads are None."""
    params, grads = _problem(4, 1)
    result = run_sgd(student, params, grads, 0.1, zero_grad=True)
    compare_params(result["params"], expected_params(params, grads, 0.1, True),
                   "zero_grad, backward, step", "skip parameters whose .grad is None")


def test_zero_grad_clears(student):
    params, grads = _problem(5, 2)
    result = run_sgd(student, params, grads, 0.1, zero_grad=True, final_zero_grad=True)
    for index, grad in enumerate(result["final_grads"]):
        if grad is not None and bool(grad.abs().max() > 0):
            raise CheckFailure(f"after zero_grad(), parameter {index} still has a nonzero .grad")


def test_step_outside_no_grad(student):
    """step() must also work when the caller does not wrap it in torch.no_grad()."""
    params, grads = _problem(6, 1)
    result = run_sgd(student, params, grads, 0.1, no_grad=False)
    compare_params(result["params"], expected_params(params, grads, 0.1, False),
                   "one step without the caller's torch.no_grad()",
                   "wrap the update in `with torch.no_grad():` inside step()")


def test_accepts_generator(student):
    """SGD(model.parameters(), lr) gets a generator: keep a list, or only step 1 works."""
    params, grads = _problem(7, 2)
    result = run_sgd(student, params, grads, 0.1, container="generator")
    compare_params(result["params"], expected_params(params, grads, 0.1, False),
                   "two steps with params given as a generator",
                   "store list(params): a generator is used up after one pass")


def test_gpu_parity(student):
    require_gpu()
    params, grads = _problem(9, 3)
    cpu = run_sgd(student, params, grads, 0.1, zero_grad=True)
    on_gpu = run_sgd(student, params, grads, 0.1, zero_grad=True, device=gpu())
    compare_params(on_gpu["params"], cpu["params"], "three steps on the GPU vs the CPU")


def test_from_scratch(student):
    params, grads = _problem(8, 1)
    run_sgd(student, params, grads, 0.1)
