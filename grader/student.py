"""The checks' handle on a submission: call its code as if it were local.

Everything here runs in the scoring process and talks to the worker through
:class:`grader.sandbox.Sandbox`.  Results come back as CPU (or ``meta``)
tensors plus :class:`CallResult` metadata saying where and how they were
made.  Banned built-ins seen during any call are remembered per component.
"""
from collections import defaultdict
from dataclasses import dataclass, field

import torch

from grader import config
from grader.errors import CheckFailure
from grader.wire import Foreign


@dataclass
class CallResult:
    """What one call of student code produced, decoded in the scoring process."""

    output: object
    infos: list = field(default_factory=list)   # device/dtype/flags of each tensor
    grads: list = field(default_factory=list)
    param_grads: dict = field(default_factory=dict)
    repeats: list = field(default_factory=list)
    inputs_before: list = field(default_factory=list)
    inputs_after: list = field(default_factory=list)
    no_graph: bool = False

    @property
    def output_info(self) -> dict:
        """Device, dtype, shape and flags of the output tensor, as made by the student."""
        return self.infos[0] if self.infos else {}


class Student:
    """A submission seen from the checks; ``component`` is set per check."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.component = None
        self.banned_seen: dict[str, set] = defaultdict(set)
        self.notes: list[str] = []   # information for the current check (not a failure)
        self.tampered: list[str] = []  # what the worker saw the code do to its watch
        self.flags: list[str] = []     # what the worker saw that only the instructor needs

    def __repr__(self):  # shown in hypothesis' "Falsifying example" lines
        return "student"

    def info(self, message: str) -> None:
        """Report something about the current check that costs no points."""
        self.notes.append(message)

    def _ask(self, op: str, args: dict, what: str, **header) -> dict:
        try:
            reply = self.sandbox.request(
                {"op": op, "component": self.component, "what": what, **header}, args)
        finally:
            self._collect(getattr(self.sandbox, "watch_report", None) or {})
        self.banned_seen[self.component].update(reply["banned"])
        return reply

    def _collect(self, report: dict) -> None:
        for problem in report.get("tampered", []):
            if problem not in self.tampered:
                self.tampered.append(str(problem)[:config.NOTE_CHARS])
        for note in report.get("notes", []):
            if note not in self.flags:
                self.flags.append(str(note)[:config.NOTE_CHARS])

    # -- functions --
    def call(self, name: str, *args, **kwargs):
        """``name(*args, **kwargs)`` in the worker; returns the output tensor."""
        return self.run(name, *args, kwargs=kwargs).output

    def run(self, name: str, *args, kwargs: dict | None = None, **options) -> CallResult:
        """Call with options: ``device``, ``seed``, ``grad_wrt``, ``upstream``,
        ``repeat``, ``no_grad``, ``return_inputs``."""
        return self._run({"function": name}, name, args, kwargs, options)

    def outputs_for(self, name: str, variants: list, kwargs: dict | None = None,
                    seed: int = 0) -> list:
        """Outputs of ``name`` for each argument tuple in ``variants``, one request."""
        reply = self._ask("call", {"variants": variants, "kwargs": kwargs or {}}, name,
                          function=name, seed=seed)
        return reply["result"]["outputs"]

    def _run(self, target: dict, what: str, args, kwargs, options) -> CallResult:
        payload = {"args": list(args), "kwargs": kwargs or {}}
        upstream = options.pop("upstream", None)
        if upstream is not None:
            payload["upstream"] = upstream
        reply = self._ask("call", payload, what, **target, **options)
        result = reply["result"]
        return CallResult(output=result.get("output"), infos=reply["infos"],
                          grads=result.get("grads", []),
                          param_grads=result.get("param_grads", {}),
                          repeats=result.get("repeats", []),
                          inputs_before=result.get("inputs_before", []),
                          inputs_after=result.get("inputs_after", []),
                          no_graph=result.get("no_graph", False))

    # -- objects and scenarios --
    def new(self, class_name: str, *args, seed: int = 0, **kwargs) -> "RemoteObject":
        reply = self._ask("new", {"args": list(args), "kwargs": kwargs}, class_name,
                          seed=seed, **{"class": class_name})
        return RemoteObject(self, class_name, reply["result"]["handle"],
                            self.sandbox.generation)

    def scenario(self, op: str, what: str, args: dict, **options) -> dict:
        """Run a named probe (``sgd``, ``train``) and return its decoded result."""
        return self._ask(op, args, what, **options)["result"]


class RemoteObject:
    """An object (optimizer, module) living in the worker."""

    def __init__(self, student: Student, class_name: str, handle: int, generation: int):
        self.student, self.class_name = student, class_name
        self.handle, self.generation = handle, generation

    def __repr__(self):
        return f"<{self.class_name} in the student process>"

    def _check_alive(self):
        if self.student.sandbox.generation != self.generation or self.student.sandbox.process is None:
            raise CheckFailure(f"the {self.class_name} object was lost when the student "
                               "process restarted after an earlier failure")

    def run(self, method: str | None, *args, kwargs=None, **options) -> CallResult:
        self._check_alive()
        label = f"{self.class_name}.{method or '__call__'}"
        return self.student._run({"object": self.handle, "method": method}, label,
                                 args, kwargs, options)

    def __call__(self, *args, **options):
        return self.run(None, *args, **options).output

    def state(self, *attributes: str) -> dict:
        self._check_alive()
        return self.student._ask("state", {}, f"{self.class_name} attributes",
                                 object=self.handle, attributes=list(attributes))["result"]


def expect_tensor(value, what: str) -> torch.Tensor:
    """Fail with a clear message unless ``value`` is a plain tensor."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, Foreign):
        raise CheckFailure(f"{what} returned an object of type {value}; expected a "
                           "torch.Tensor (subclasses and tensor-like objects are not accepted)")
    raise CheckFailure(f"{what} returned {type(value).__name__} {value!r:.80}; "
                       "expected a torch.Tensor")
