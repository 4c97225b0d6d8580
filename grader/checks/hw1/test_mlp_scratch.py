"""MLPScratch(num_inputs, num_outputs, num_hiddens, lr, sigma=0.01): one ReLU hidden layer."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import strategies as gs
from grader.compare import assert_close, assert_meta
from grader.errors import CheckFailure
from grader.parity import gpu, gpu_name, require_gpu
from grader.student import expect_tensor

NAMES = ("W1", "b1", "W2", "b2")


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
    formula(leaves, X, 6).backward(upstream)
    for name in NAMES:
        grad = result.param_grads.get(name)
        if grad is None:
            raise CheckFailure(f"no gradient reaches {name}; is it used in forward?")
        assert_close(grad, leaves[name].grad, f"gradient of {name}")


def test_device_agnostic(student):
    model = student.new("MLPScratch", 6, 3, 5, 0.1, sigma=0.5)
    model.run("to", torch.device("meta"))
    result = model.run(None, gs.gaussian((4, 1, 2, 3), 5, torch.float32), device="meta")
    assert_meta(result.output_info, "MLPScratch on the meta device", shape=(4, 3),
                device="meta")


def ring_dataset(n: int, seed: int):
    """Three classes by distance from the origin: not linearly separable.

    Features are (n, 1, 2, 4): two informative coordinates and six noise ones,
    so the model must also flatten its input.
    """
    rng = np.random.default_rng(seed)
    radius = rng.uniform(0, 3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    labels = np.digitize(radius, [1.0, 2.0])
    features = rng.normal(0, 0.1, (n, 8))
    features[:, 0], features[:, 1] = radius * np.cos(angle), radius * np.sin(angle)
    return (torch.from_numpy(features.reshape(n, 1, 2, 4)).float(),
            torch.from_numpy(labels).long())


def test_learns_with_own_pieces(student):
    """MLPScratch + the student's SGD, softmax and cross_entropy learn a small task."""
    X, y = ring_dataset(300, 0)
    X_test, y_test = ring_dataset(300, 1)
    result = student.scenario("train", "training MLPScratch with your SGD",
                              {"model_args": [8, 3, 32, 0.5, 0.5], "lr": 0.5, "X": X, "y": y,
                               "X_test": X_test}, epochs=20, batch_size=50, seed=0)
    losses = expect_tensor(result["losses"], "training losses")
    logits = expect_tensor(result["test_logits"], "MLPScratch on the test set")
    if not bool(torch.isfinite(losses).all()):
        raise CheckFailure("the training loss became inf or NaN. This check trains with YOUR "
                           "softmax, cross_entropy and SGD: fix their failing checks first")
    accuracy = float((logits.argmax(dim=1) == y_test).double().mean())
    first, last = float(losses[:12].mean()), float(losses[-12:].mean())  # ~2 epochs each
    if accuracy < 0.9 or last > 0.5 * first:
        raise CheckFailure(f"after 20 epochs the training loss went from {first:.3f} to "
                           f"{last:.3f} and test accuracy is {accuracy:.2f}; expected the loss "
                           "to at least halve and accuracy >= 0.90 (this check uses your "
                           "softmax, cross_entropy and SGD too)")


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
