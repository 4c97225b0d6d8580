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
from grader.errors import CheckFailure, StudentError
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


def compare_params(got, expected, what, hint="", start=None, grads=None, lr=None,
                   zero_grad=False):
    """Compare parameters; on a mismatch, name a learning rate the step really used."""
    for index, (g, e) in enumerate(zip(got, expected)):
        try:
            assert_close(g, e, f"{what}: parameter {index} after the updates", hint=hint)
        except CheckFailure:
            if start is None:
                raise
            named = _lr_hint(got, start, grads, lr, zero_grad)
            if not named:
                raise
            assert_close(g, e, f"{what}: parameter {index} after the updates", hint=named)


def _lr_hint(got, start, grads, lr, zero_grad) -> str:
    """If every parameter moved by c * (its summed gradients) with one c != lr, say so."""
    if len(got) != len(start) or any(not isinstance(g, torch.Tensor) or g.shape != p.shape
                                     for p, g in zip(start, got)):
        return ""   # reshaped or missing parameters: no single learning rate to name
    total = [torch.zeros_like(p) for p in start]
    accumulated = [torch.zeros_like(p) for p in start]
    for step in grads:
        accumulated = [g.clone() if zero_grad else a + g for a, g in zip(accumulated, step)]
        total = [t + a for t, a in zip(total, accumulated)]
    moved = torch.cat([(p - g.double()).reshape(-1) for p, g in zip(start, got)])
    direction = torch.cat([t.reshape(-1) for t in total])
    usable = direction.abs() > 1e-3
    if not bool(usable.any()):
        return ""
    ratios = moved[usable] / direction[usable]
    c = float(ratios.median())
    if not torch.allclose(ratios, torch.full_like(ratios, c), rtol=1e-6, atol=1e-9) or \
            abs(c - lr) <= 1e-9 * max(1.0, abs(lr)):
        return ""
    if abs(c) < 1e-12:
        return ""   # nothing moved: the caller's hint (in place, no rebinding) applies
    return (f"the step used a learning rate of {c:.6g} instead of the lr={lr:.6g} given to "
            "SGD(params, lr): use self.lr (a global lr or a hard-coded value is not the "
            "optimiser's)")


REBIND_HINT = ("update each parameter in place (param -= lr * param.grad under "
               "torch.no_grad()); assigning a new tensor to a local name or a list entry "
               "leaves the model's parameters unchanged")


# Every check steps with its own learning rate: an SGD that ignores its lr (a global
# or hard-coded value) matches at most one of them, not every check that uses the same.
LR = {"one_step": 0.3, "updates_in_place": 0.2, "zero_grad": 0.15, "outside_no_grad": 0.7,
      "generator": 0.4, "d2l_loop": 0.25, "float32": 0.05}


RULE_HINT = ("the parameters changed, but not by -lr * grad: each step must do "
             "param -= lr * param.grad (no sign, normalisation or extra terms)")


def test_one_step(student):
    params, grads = _problem(0, 1)
    lr = LR["one_step"]
    result = run_sgd(student, params, grads, lr)
    # Rebinding is the cause only when nothing moved; otherwise the update rule is.
    unchanged = all(torch.equal(g, p) for g, p in zip(result["params"], params))
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   "one step under torch.no_grad()", REBIND_HINT if unchanged else RULE_HINT,
                   params, grads, lr)


@given(lr=st.floats(1e-3, 2.0), seed=gs.seeds(), steps=st.integers(1, 3),
       rows=st.integers(1, 4), cols=st.integers(1, 4))
def test_update_rule(student, lr, seed, steps, rows, cols):
    params, grads = _problem(seed, steps, shapes=[(rows, cols), (cols,)])
    result = run_sgd(student, params, grads, lr)
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   f"{steps} step(s) with lr={lr:.4g} (gradients accumulate without zero_grad)",
                   "each step must do param <- param - lr * param.grad", params, grads, lr)


def test_one_step_float32(student):
    params, grads = _problem(1, 1, torch.float32)
    lr = LR["float32"]
    result = run_sgd(student, params, grads, lr)
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   "one float32 step", "", params, grads, lr)


def test_updates_in_place(student):
    params, grads = _problem(2, 1)
    result = run_sgd(student, params, grads, LR["updates_in_place"])
    if not result["same_objects"]:
        raise CheckFailure("step() replaced the parameter tensors; " + REBIND_HINT)
    if all(torch.equal(g, p) for g, p in zip(result["params"], params)):
        raise CheckFailure("step() left every parameter unchanged; " + REBIND_HINT)


def test_zero_grad_before_first_backward(student):
    """d2l's Trainer calls zero_grad before the first backward, when grads are None."""
    params, grads = _problem(4, 1)
    lr = LR["zero_grad"]
    result = run_sgd(student, params, grads, lr, zero_grad=True)
    compare_params(result["params"], expected_params(params, grads, lr, True),
                   "zero_grad, backward, step", "skip parameters whose .grad is None",
                   params, grads, lr, zero_grad=True)
    # The stub: "Skip parameters whose grad is None" (a parameter no loss used).
    unused = [[grads[0][0], None]]
    try:
        result = run_sgd(student, params, unused, lr, zero_grad=True)
    except StudentError as exc:
        raise CheckFailure(f"step() raised {exc} when one parameter's .grad is None (it was "
                           "not used by the loss). Hint: skip parameters whose grad is None") \
            from None
    compare_params(result["params"], [params[0] - lr * grads[0][0], params[1]],
                   "one step when the second parameter's .grad is None",
                   "update only the parameters whose .grad is not None; leave the others")


def test_zero_grad_clears(student):
    params, grads = _problem(5, 2)
    result = run_sgd(student, params, grads, 0.1, zero_grad=True, final_zero_grad=True)
    for index, grad in enumerate(result["final_grads"]):
        if grad is not None and bool(grad.abs().max() > 0):
            raise CheckFailure(f"after zero_grad(), parameter {index} still has a nonzero .grad")


def test_step_outside_no_grad(student):
    """step() must also work when the caller does not wrap it in torch.no_grad()."""
    params, grads = _problem(6, 1)
    lr = LR["outside_no_grad"]
    result = run_sgd(student, params, grads, lr, no_grad=False)
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   "one step without the caller's torch.no_grad()",
                   "wrap the update in `with torch.no_grad():` inside step()", params, grads, lr)


def test_accepts_generator(student):
    """SGD(model.parameters(), lr) gets a generator: keep a list, or only step 1 works."""
    params, grads = _problem(7, 2)
    lr = LR["generator"]
    result = run_sgd(student, params, grads, lr, container="generator")
    compare_params(result["params"], expected_params(params, grads, lr, False),
                   "two steps with params given as a generator",
                   "store list(params): a generator is used up after one pass", params, grads,
                   lr)


def test_gpu_parity(student):
    require_gpu()
    params, grads = _problem(9, 3)
    cpu = run_sgd(student, params, grads, 0.1, zero_grad=True)
    on_gpu = run_sgd(student, params, grads, 0.1, zero_grad=True, device=gpu())
    compare_params(on_gpu["params"], cpu["params"], "three steps on the GPU vs the CPU")


def test_from_scratch(student):
    params, grads = _problem(8, 1)
    run_sgd(student, params, grads, 0.1)
