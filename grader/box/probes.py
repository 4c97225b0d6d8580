"""What a worker can be asked to do with the student's code.

Each probe takes plain data (decoded by :mod:`grader.wire`), runs student code
under the from-scratch watch, and returns plain data.  Probes only *run*
things; every comparison and verdict happens in the scoring process.

Ops: ``call`` (a function or a method of an object made with ``new``, with
optional gradients, repeats and input variants), ``new``, ``state`` (an
object's parameters and attributes), ``sgd`` (an optimiser scenario) and
``train`` (a small training run with the student's own pieces).
"""
import contextlib
from dataclasses import dataclass, field

import torch

from grader import scratch
from grader.box import worker_state


class Fault(Exception):
    """A failure to report to the scoring side instead of a result."""

    def __init__(self, kind: str, exc_type: str = "", message: str = "", where: str = ""):
        super().__init__(message)
        self.info = {"kind": kind, "type": exc_type, "message": message, "where": where}


class StudentRaised(Exception):
    """Student code raised ``exc``; carries its traceback for the report."""

    def __init__(self, exc: BaseException):
        super().__init__(str(exc))
        self.exc, self.tb = exc, exc.__traceback__


@dataclass
class Context:
    namespace: dict
    bans: dict
    student_files: set
    objects: dict = field(default_factory=dict)


def run(context: Context, request: dict, args, hits: set):
    op = OPS.get(request.get("op"))
    if op is None:
        raise ValueError(f"unknown op {request.get('op')!r}")
    bans = context.bans.get(request.get("component"), scratch.BanList(()))
    student = _StudentRunner(bans, hits)
    worker_state.reset(request.get("seed", 0))   # what earlier student code left behind
    seed_everything(request.get("seed", 0))
    return op(context, request, args or {}, student)


def seed_everything(seed: int) -> None:
    """``torch.manual_seed`` without its cost on machines without CUDA.

    ``torch.manual_seed`` also queues a seed for every accelerator backend that
    is not started yet, formatting a stack trace each time: about 1.5 ms, more
    than a typical call of student code.  Only the CPU and CUDA generators can
    matter here.
    """
    torch.default_generator.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


class _StudentRunner:
    """Calls into student code: watched for banned built-ins, errors wrapped."""

    def __init__(self, bans, hits):
        self.bans, self.hits = bans, hits

    def __call__(self, fn, *args, **kwargs):
        try:
            with scratch.watch(self.bans, self.hits):
                return fn(*args, **kwargs)
        except RecursionError as exc:
            raise StudentRaised(exc) from None
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt...
            raise StudentRaised(exc) from None

    def unwatched(self) -> "_StudentRunner":
        """The same, errors still wrapped, without the from-scratch watch."""
        return _StudentRunner(scratch.BanList(()), self.hits)


def lookup(context: Context, name: str):
    if name not in context.namespace:
        raise Fault("not_implemented", "NameError",
                    f"`{name}` is not defined in your submission")
    return context.namespace[name]


# --- helpers ----------------------------------------------------------------

def _to_device(value, device):
    if device is None:
        return value
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_device(v, device) for v in value)
    return value


def _target(context: Context, request: dict):
    if "object" in request:
        obj = context.objects[request["object"]]
        return getattr(obj, request["method"]) if request.get("method") else obj
    return lookup(context, request["function"])


# --- ops --------------------------------------------------------------------

def op_call(context, request, args, student):
    """Call a function (or object) once, or per input variant, or repeatedly."""
    fn = _target(context, request)
    device = request.get("device")
    positional = list(_to_device(args.get("args", []), device))
    keywords = _to_device(args.get("kwargs", {}), device)
    for index in request.get("grad_wrt", []):
        positional[index] = positional[index].detach().requires_grad_(True)
    before = ([a.detach().clone() if isinstance(a, torch.Tensor) else None for a in positional]
              if request.get("return_inputs") else None)   # copies only when asked for
    grad_mode = torch.no_grad() if request.get("no_grad") else contextlib.nullcontext()
    result = {}
    if "variants" in args:
        result["outputs"] = [_call_seeded(student, fn, request, _to_device(v, device),
                                          keywords, grad_mode) for v in args["variants"]]
        return result
    with grad_mode:
        outputs = [student(fn, *positional, **keywords) for _ in range(request.get("repeat", 1))]
    result["output"] = outputs[0]
    if len(outputs) > 1:
        result["repeats"] = outputs
    if "upstream" in args:
        result.update(_gradients(context, request, positional, outputs[0],
                                 _to_device(args["upstream"], device), student))
    if request.get("return_inputs"):
        result["inputs_after"] = [p.detach() if isinstance(p, torch.Tensor) else None
                                  for p in positional]
        result["inputs_before"] = before
    return result


def _call_seeded(student, fn, request, positional, keywords, grad_mode):
    seed_everything(request.get("seed", 0))  # same randomness for every variant
    with grad_mode:
        return student(fn, *positional, **keywords)


def _gradients(context, request, positional, output, upstream, student):
    """Backpropagate ``upstream`` through the student's output."""
    wrt = [positional[i] for i in request.get("grad_wrt", [])]
    params = []
    if request.get("grad_params"):
        params = list(context.objects[request["object"]].named_parameters())
    if not isinstance(output, torch.Tensor) or not output.requires_grad:
        return {"grads": [None] * len(wrt), "param_grads": {n: None for n, _ in params},
                "no_graph": True}
    inputs = wrt + [p for _, p in params]
    grads = student(torch.autograd.grad, output, inputs, upstream, allow_unused=True)
    return {"grads": list(grads[:len(wrt)]),
            "param_grads": {n: g for (n, _), g in zip(params, grads[len(wrt):])}}


def op_new(context, request, args, student):
    cls = lookup(context, request["class"])
    obj = student(cls, *args.get("args", []), **args.get("kwargs", {}))
    handle = len(context.objects) + 1
    context.objects[handle] = obj
    return {"handle": handle}


def op_state(context, request, args, student):
    """An object's parameters, attributes named in the request, and type."""
    obj = context.objects[request["object"]]
    state = {"is_module": isinstance(obj, torch.nn.Module),
             "training": bool(getattr(obj, "training", False)),
             "attributes": {}}
    if state["is_module"]:
        state["parameters"] = dict(student(obj.named_parameters))
    for name in request.get("attributes", []):
        value = getattr(obj, name, None)
        state["attributes"][name] = value if isinstance(
            value, (torch.Tensor, int, float, bool, type(None))) else repr(type(value))
    return state


def op_sgd(context, request, args, student):
    """Run the student's SGD the way d2l's Trainer does, with chosen gradients.

    Gradients are injected through ``backward`` of ``sum(p * g)``, so the
    optimiser sees exactly ``g`` on each step; ``zero_grad`` comes before
    ``backward`` as in ``Trainer.fit_epoch`` (grads are still None on step 1).
    """
    sgd_class = lookup(context, "SGD")
    device = request.get("device")
    params = [_to_device(p, device).clone().requires_grad_(True) for p in args["params"]]
    originals = list(params)
    container = {"list": list, "tuple": tuple, "generator": iter}[request["container"]]
    optimizer = student(sgd_class, container(params), args["lr"])
    wrap = torch.no_grad if request.get("no_grad", True) else contextlib.nullcontext
    grads_seen = []
    for step_grads in args["grads"]:
        # A None gradient leaves that parameter out of the loss: its .grad stays None.
        loss = sum((p * _to_device(g, device)).sum() for p, g in zip(params, step_grads)
                   if g is not None)
        if request.get("zero_grad", True):
            student(optimizer.zero_grad)
        # Under student()'s error handling: if an earlier step() left autograd off,
        # this fails because of the student's code, not the grader's.
        student(loss.backward)
        with wrap():
            student(optimizer.step)
        grads_seen.append([p.grad for p in params])
    if request.get("final_zero_grad"):
        student(optimizer.zero_grad)
    return {"params": [p.detach() for p in params],
            "same_objects": all(a is b for a, b in zip(params, originals)),
            "final_grads": [p.grad for p in params]}


def op_train(context, request, args, student):
    """Train the student's MLPScratch with its own SGD, softmax and cross_entropy.

    Only the first epoch and the test pass run under the from-scratch watch:
    later epochs run the same code on the same shapes, and watching them would
    cost five times the training itself.
    """
    model = student(lookup(context, "MLPScratch"), *args["model_args"])
    softmax, cross_entropy = lookup(context, "softmax"), lookup(context, "cross_entropy")
    optimizer = student(lookup(context, "SGD"), list(model.parameters()), args["lr"])
    X, y = args["X"], args["y"]
    losses = []
    batch = request["batch_size"]
    unwatched = student.unwatched()
    for epoch in range(request["epochs"]):
        run = student if epoch == 0 else unwatched
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch):
            idx = order[start:start + batch]
            loss = run(lambda: cross_entropy(softmax(model(X[idx])), y[idx]))
            run(optimizer.zero_grad)
            with torch.no_grad():
                run(loss.backward)
                run(optimizer.step)
            losses.append(float(loss.detach()))
    with torch.no_grad():
        logits = student(model, args["X_test"])
    return {"losses": torch.tensor(losses, dtype=torch.float64), "test_logits": logits}


OPS = {"call": op_call, "new": op_new, "state": op_state, "sgd": op_sgd, "train": op_train}
