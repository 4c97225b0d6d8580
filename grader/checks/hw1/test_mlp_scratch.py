"""MLPScratch(num_inputs, num_outputs, num_hiddens, lr, sigma=0.01): one ReLU hidden layer."""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.compare import assert_close, assert_meta
from grader.devices import DEVICE_HINT, is_device_error
from grader.errors import CheckFailure, NotImplementedYet, StudentError
from grader.parity import cuda_available, gpu, gpu_name, require_gpu
from grader.student import expect_tensor

NAMES = ("W1", "b1", "W2", "b2")
HYPERPARAMETERS = ("num_inputs", "num_outputs", "num_hiddens", "lr", "sigma")


def shapes(num_inputs, num_outputs, num_hiddens):
    return {"W1": (num_inputs, num_hiddens), "b1": (num_hiddens,),
            "W2": (num_hiddens, num_outputs), "b2": (num_outputs,)}


def parameters_of(model) -> dict:
    state = model.state(*NAMES)
    if not state["is_module"]:
        raise CheckFailure("MLPScratch is not a torch.nn.Module; subclass nn.Module "
                           "and call super().__init__() first")
    params = state["parameters"]
    missing = [n for n in NAMES if n not in params]
    if missing:
        plain = [n for n in missing if not isinstance(state["attributes"].get(n), str)
                 and state["attributes"].get(n) is not None]
        detail = (f"; {', '.join(plain)} exist but are not registered: wrap them in "
                  "nn.Parameter(...)" if plain else "")
        raise CheckFailure(f"MLPScratch has no registered parameter(s) {', '.join(missing)}"
                           f"{detail}")
    return params


def formula(params: dict, X: torch.Tensor, num_inputs: int) -> torch.Tensor:
    """What forward must compute, from the student's own parameters."""
    H = (X.reshape(-1, num_inputs) @ params["W1"] + params["b1"]).clamp_min(0)
    return H @ params["W2"] + params["b2"]


def test_parameters_registered(student):
    params = parameters_of(student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5))
    for name, shape in shapes(6, 3, 5).items():
        if tuple(params[name].shape) != shape:
            raise CheckFailure(f"{name} has shape {tuple(params[name].shape)}, expected {shape} "
                               "for MLPScratch(num_inputs=6, num_outputs=3, num_hiddens=5)")
    # The stub: "store num_inputs, num_outputs, num_hiddens, lr, sigma as attributes".
    stored = student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5).state(*HYPERPARAMETERS)
    expected = {"num_inputs": 6, "num_outputs": 3, "num_hiddens": 5, "lr": 0.1, "sigma": 0.5}
    wrong = [f"{name} (got {stored['attributes'].get(name)!r})" for name, value in expected.items()
             if stored["attributes"].get(name) != value]
    if wrong:
        raise CheckFailure(f"MLPScratch(6, 3, 5, 0.1, sigma=0.5) does not store "
                           f"{', '.join(wrong)} as attributes. Hint: self.num_inputs = "
                           "num_inputs and so on (d2l's self.save_hyperparameters() does it)")


def test_biases_start_at_zero(student):
    params = parameters_of(student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5))
    for name in ("b1", "b2"):
        if bool(params[name].abs().max() > 0):
            raise CheckFailure(f"{name} is not all zeros at initialisation")


@settings(max_examples=3)
@given(sigma=st.sampled_from([0.01, 0.1, 0.5]), seed=gs.seeds())
def test_init_statistics(student, sigma, seed):
    """Weights ~ N(0, sigma^2): |std - sigma| < sigma/10 and |mean| < sigma/10."""
    params = parameters_of(student.new("MLPScratch", 784, 10, 256, 0.1, sigma=sigma, seed=seed))
    for name in ("W1", "W2"):
        W = params[name].double()
        if abs(float(W.std()) - sigma) > sigma / 10 or abs(float(W.mean())) > sigma / 10:
            raise CheckFailure(f"{name} has mean {float(W.mean()):.4g} and std {float(W.std()):.4g}; "
                               f"expected about 0 and sigma={sigma} (torch.randn(...) * sigma)")


def _forward_case(student, seed, dtype, X_shape=(4, 1, 2, 3)):
    model = student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5, seed=seed)
    if dtype == torch.float64:
        model.run("to", torch.float64)
    params = parameters_of(model)
    X = gs.gaussian(X_shape, seed, dtype)
    return model, params, X


@settings(max_examples=6)
@given(seed=gs.seeds())
def test_forward_matches_formula_float64(student, seed):
    model, params, X = _forward_case(student, seed, torch.float64)
    got = expect_tensor(model(X), "MLPScratch.forward(X)")
    assert_close(got, formula(params, X, 6), "logits of MLPScratch in float64",
                 hint="forward returns logits: relu(X @ W1 + b1) @ W2 + b2, no softmax")


@settings(max_examples=6)
@given(seed=gs.seeds())
def test_forward_matches_formula_float32(student, seed):
    model, params, X = _forward_case(student, seed, torch.float32)
    got = expect_tensor(model(X), "MLPScratch.forward(X)")
    expected = formula({k: v.double() for k, v in params.items()}, X.double(), 6).float()
    assert_close(got, expected, "logits of MLPScratch in float32", rtol=1e-5, atol=1e-5)


def test_flattens_input(student):
    model, params, X = _forward_case(student, 11, torch.float64)
    images = expect_tensor(model(X), "MLPScratch.forward on (4, 1, 2, 3) images")
    flat = expect_tensor(model(X.reshape(4, 6)), "MLPScratch.forward on (4, 6) rows")
    if tuple(images.shape) != (4, 3):
        raise CheckFailure(f"forward on a (4, 1, 2, 3) batch returned shape "
                           f"{tuple(images.shape)}, expected (4, 3): reshape X to "
                           "(-1, num_inputs) first")
    assert_close(images, flat, "forward on images vs the same data flattened")


@settings(max_examples=4)
@given(seed=gs.seeds())
def test_parameter_gradients(student, seed):
    """Gradients reaching W1, b1, W2, b2 for a random upstream gradient, float64."""
    model, params, X = _forward_case(student, seed, torch.float64)
    upstream = gs.gaussian((4, 3), seed + 1)
    result = model.run(None, X, grad_params=True, upstream=upstream)
    if result.no_graph:
        raise CheckFailure("the logits are not connected to the parameters in the autograd graph")
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    # The same vector-Jacobian product as .backward(upstream), without torch
    # importing sympy into the scoring process for the explicit gradient.
    (formula(leaves, X, 6) * upstream).sum().backward()
    for name in NAMES:
        grad = result.param_grads.get(name)
        if grad is None:
            raise CheckFailure(f"no gradient reaches {name}; is it used in forward?")
        assert_close(grad, leaves[name].grad, f"gradient of {name}")


def test_device_agnostic(student):
    """model.to('meta') then forward; code that reads values (which meta tensors do not
    hold) is decided on real devices instead: logits and parameter gradients stay on
    the model's device."""
    model = student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5)
    model.run("to", torch.device("meta"))
    X = gs.gaussian((4, 1, 2, 3), 5, torch.float32)
    try:
        result = model.run(None, X, device="meta")
    except (StudentError, NotImplementedYet) as exc:
        if isinstance(exc, NotImplementedYet) and not is_device_error(exc):
            raise
        if is_device_error(exc):
            raise CheckFailure(f"MLPScratch after model.to('meta') failed on meta inputs "
                               f"({exc}). Hint: {DEVICE_HINT}; register W1, b1, W2, b2 as "
                               "nn.Parameter so that model.to(...) moves them") from None
        student.info("MLPScratch cannot run on the meta device, which holds no values; "
                     "decided on real devices")
        devices = [("cpu", "cpu")] + ([(gpu(), gpu_name())] if cuda_available() else [])
        for device, reported in devices:
            _forward_stays_on(student, X, device, reported)
        return
    assert_meta(result.output_info, "MLPScratch on the meta device", shape=(4, 3),
                device="meta")


def _forward_stays_on(student, X, device, reported):
    model = student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5)
    model.run("to", torch.device(device))
    result = model.run(None, X, device=device, grad_params=True,
                       upstream=gs.gaussian((4, 3), 6, torch.float32))
    assert_meta(result.output_info, f"MLPScratch on {reported}", device=reported)
    for info in result.infos[1:]:
        if info.get("device") != reported:
            raise CheckFailure(f"MLPScratch on {reported}: a parameter gradient is on "
                               f"{info.get('device')}. Hint: {DEVICE_HINT}")


def test_gpu_parity(student):
    require_gpu()
    model, params, X = _forward_case(student, 12, torch.float64)
    cpu = expect_tensor(model(X), "MLPScratch.forward(X) on the CPU")
    model.run("to", torch.device(gpu()))
    result = model.run(None, X, device=gpu())
    assert_meta(result.output_info, "MLPScratch on the GPU", shape=(4, 3), device=gpu_name())
    assert_close(result.output, cpu, "MLPScratch on the GPU vs the CPU (float64)",
                 rtol=1e-10, atol=1e-12)


def test_from_scratch(student):
    model = student.new("MLPScratch", 6, 3, 5, 0.1)
    model(gs.gaussian((2, 6), 6, torch.float32))
