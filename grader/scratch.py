"""Detect, while student code runs, calls to the built-ins it must not use.

Runs inside the worker.  Banned names are data (the rubric):
``"torch.nn.functional.softmax"`` names a callable, ``"aten::_softmax"`` an
operator, ``"torch.optim"`` a package, ``"record:Optimizer.step#*"`` a
profiler scope (torch.optim marks each ``step`` with one).  Nets:

* a **native operator watch** (:mod:`grader.native`): a global RecordFunction
  callback that sees every ATen operator in *every thread*, composite ones
  before they decompose (``aten::dropout``, ``aten::linear``), however they
  are reached (``torch.ops.aten.*.default``, ``torch._C._nn``, TorchScript,
  torch's modes switched off), and torch.optim's profiler scopes;
* a ``TorchFunctionMode`` that sees public torch functions and tensor methods
  by identity (``F.softmax``, ``torch.softmax`` and ``Tensor.softmax`` alike);
* a profile hook that sees Python code executed from banned packages
  (``torch.optim``: an optimizer has no operator of its own);
* without the native watch (no compiler where it was installed), a
  ``TorchDispatchMode`` for the operators instead, thread-local only.

The Python nets are thread-local, so every thread started through
``_thread``/``threading`` runs under them too.  What the worker can observe of
attempts to switch the watch off is recorded as tampering (:func:`tampering`):
record functions disabled, the mode stack or profile hook replaced, the
record of hits emptied, the grader's own functions replaced, threads started
around the hook.  Python cannot stop code in the same process from doing
these things; it can notice most of them afterwards, and the scorer grades
what it notices.  Importing ``grader`` (a fresh copy: ours are no longer in
``sys.modules``) changes nothing and is only reported (:func:`notes`).
"""
import _thread
import importlib
import operator
import os
import sys
import threading
import types
from contextlib import ExitStack, contextmanager

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from grader import native

RECORD_PREFIX = "record:"


class BanList:
    """Banned callables, operators, packages and profiler scopes, from dotted names."""

    def __init__(self, names):
        self.callables: dict[int, str] = {}
        self.operators: dict[str, str] = {}
        self.packages: dict[str, str] = {}
        self.records: dict[str, str] = {}   # RecordFunction name (or prefix + "*") -> ban
        self._targets = []  # keeps resolved objects alive so their ids stay valid
        for name in names:
            self._add(name)

    def _add(self, name: str):
        if "::" in name:
            self.operators[name] = name
            return
        if name.startswith(RECORD_PREFIX):
            self.records[name[len(RECORD_PREFIX):]] = name
            return
        target = resolve(name)
        if isinstance(target, types.ModuleType):
            root = os.path.dirname(target.__file__) if target.__file__.endswith(
                "__init__.py") else target.__file__
            self.packages[root] = name
        elif target is not None:
            self.callables[id(target)] = name
            self._targets.append(target)

    def native_names(self) -> list[str]:
        return sorted(self.operators) + sorted(self.records)

    def name_of_native(self, seen: str) -> str:
        """The ban a name reported by the native watch stands for."""
        if seen in self.operators or seen + "*" in self.operators:
            return self.operators.get(seen, self.operators.get(seen + "*"))
        return self.records.get(seen + "*", self.records.get(seen, seen))

    def __bool__(self):
        return bool(self.callables or self.operators or self.packages or self.records)


def resolve(dotted: str):
    """Import ``a.b.c`` as a module, or as an attribute of the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


# --- the watch in progress, visible to every thread ---------------------------

class _Active:
    """The bans and record of hits of the call being watched (None between calls)."""
    bans: "BanList | None" = None
    hits: "set | None" = None
    count = 0   # hits recorded by the Python nets: a record found empty after some was emptied


def _record(name: str) -> None:
    if _Active.hits is not None:
        _Active.hits.add(name)
        _Active.count += 1


class _FunctionWatch(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        bans = _Active.bans
        if bans is not None:
            name = bans.callables.get(id(func))
            if name:
                _record(name)
        return func(*args, **(kwargs or {}))


class _OperatorWatch(TorchDispatchMode):
    """Only without the native watch: sees ATen operators of this thread."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # pragma: no mutate block (torch calls it while the class is being made)
        """Nothing here is compiled: without this, torch wraps ``__torch_dispatch__``
        in two layers of "disable dynamo" that cost more than the lookup itself."""
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        bans = _Active.bans
        if bans is not None:
            name = bans.operators.get(f"aten::{func.__name__.split('.')[0]}")
            if name:
                _record(name)
        return func(*args, **(kwargs or {}))


def _profile(frame, event, arg):
    bans = _Active.bans
    if event == "call" and bans is not None and bans.packages:
        filename = frame.f_code.co_filename
        for root, name in bans.packages.items():
            if filename.startswith(root):
                _record(name)


# --- installation (once per process, in the fork server) ----------------------

class _State:
    installed = False
    native = None            # the compiled watch, or None
    native_problem = ""      # why it is not used
    snapshot: list = []      # (namespace, name, value) of our own code, to spot replacements
    snapshot_columns: tuple = ((), (), ())   # the same, as three parallel tuples
    threads: set = set()     # idents of threads started through our hook
    tampered: list = []      # what was observed (sticky: reported with every reply)
    notes: list = []         # what is only worth reporting
    dynamo_skipped = False   # torch.compile told to leave this module alone


_ORIGINAL_START = _thread.start_new_thread


def _start_watched_thread(function, args, kwargs=None):
    """``_thread.start_new_thread`` whose threads run under the Python nets too."""
    def run(*a, **k):
        _State.threads.add(_thread.get_ident())
        sys.setprofile(_profile)
        with _FunctionWatch():
            if _State.native is None:
                with _OperatorWatch():
                    return function(*a, **k)
            return function(*a, **k)
    ident = _ORIGINAL_START(run, args, kwargs or {})
    _State.threads.add(ident)   # before this thread's next check, whatever the child has run
    return ident


def install() -> None:
    """Load the native watch and hook thread creation (idempotent)."""
    if _State.installed:
        return
    _State.installed = True
    module, problem = native.load_built()
    if module is not None:
        module.install()
        module.watch_for([])
    _State.native, _State.native_problem = module, problem
    _State.threads |= set(sys._current_frames())   # ours, from before any student code
    _thread.start_new_thread = _start_watched_thread
    threading._start_new_thread = _start_watched_thread
    # A child process inherits the native callback, but what it sees never comes
    # back: say so to the instructor (the fork server itself forks every worker).
    server = os.getpid()
    os.register_at_fork(after_in_parent=lambda: _note_fork(server))
    protect([m for n, m in sys.modules.items() if n == "grader" or n.startswith("grader.")])


def _note_fork(server_pid: int) -> None:
    note = ("student code started a child process; the from-scratch watch does not see "
            "what runs in it")
    if os.getpid() != server_pid and note not in _State.notes:
        _State.notes.append(note)


def isolation_notes() -> list[str]:
    """What the watch cannot see here, for the result's isolation notes."""
    if _State.native is None and _State.installed:
        return [f"from-scratch watch: thread-local only ({_State.native_problem})"]
    return []


def protect(modules) -> None:
    """Remember our own functions and classes, to notice if student code replaces them."""
    entries = []
    for module in modules:
        for name, value in list(vars(module).items()):
            if isinstance(value, (types.FunctionType, type, types.ModuleType)):
                entries.append((vars(module), name, value))
                if isinstance(value, type) and value.__module__ == module.__name__:
                    entries += [(value.__dict__, attr, v) for attr, v in vars(value).items()
                                if isinstance(v, (types.FunctionType, classmethod))]
    _State.snapshot = entries
    # Checked after every call: as parallel tuples, so the check is a C-level loop
    # (class namespaces are mappingproxies: their bound ``get`` reads them live)
    _State.snapshot_columns = (tuple(ns.get for ns, _, _ in entries),
                               tuple(name for _, name, _ in entries),
                               tuple(value for _, _, value in entries))


# --- the watch ----------------------------------------------------------------

def _keep_dynamo_out() -> None:
    """Once student code has brought in torch.compile, tell it not to trace our watch.

    Dynamo would inline the mode's ``__torch_function__`` and look its module up
    in ``sys.modules``, where our modules no longer are.  Skipped, the mode runs
    as plain Python around the compiled code (and still sees what it calls).
    """
    rules = sys.modules.get("torch._dynamo.trace_rules")
    if rules is None or _State.dynamo_skipped:
        return
    _State.dynamo_skipped = True
    try:
        rules.SKIP_DIRS.append(os.path.dirname(os.path.abspath(__file__)) + os.sep)
        rules._recompile_re()
    except (AttributeError, TypeError):  # another torch: tracing may fail, never hides calls
        pass


@contextmanager
def watch(bans: BanList, hits: set):
    """Record into ``hits`` the banned names used inside the block, in any thread."""
    install()
    _keep_dynamo_out()
    if not bans:   # nothing to look for (training epochs after the first)
        yield hits
        return
    _Active.bans, _Active.hits, _Active.count = bans, hits, 0
    if _State.native is not None:
        _State.native.take()
        _State.native.watch_for(bans.native_names())
    previous_profile = sys.getprofile()
    modes = []
    try:
        with ExitStack() as stack:
            if bans.callables:
                modes.append(("function", stack.enter_context(_FunctionWatch())))
            if bans.operators and _State.native is None:
                modes.append(("dispatch", stack.enter_context(_OperatorWatch())))
            if bans.packages:
                sys.setprofile(_profile)
                stack.callback(sys.setprofile, previous_profile)
            try:
                yield hits
            finally:
                _check_after_call(bans, modes)
    finally:
        if _State.native is not None:
            hits.update(bans.name_of_native(n) for n in _State.native.take())
            _State.native.watch_for([])
        _Active.bans = _Active.hits = None


def _check_after_call(bans: BanList, modes) -> None:
    """Record what student code did to the watch during the call."""
    problems = []
    if _State.native is not None and not _State.native.active():
        problems.append("torch's record-function callbacks were switched off or cleared")
    for kind, mode in modes:
        # Modes pushed around ours (torch.set_default_device in a call slips its mode
        # in at the bottom) are fine; ours gone from the stack is not.
        if not _on_stack(kind, mode):
            problems.append(f"the torch {kind} mode stack was changed")
    if _Active.count and not _Active.hits:
        problems.append("the record of banned calls was emptied")
    if bans.packages and sys.getprofile() is not _profile:
        problems.append("the profile hook that sees torch.optim was replaced")
    if _thread.start_new_thread is not _start_watched_thread or \
            threading._start_new_thread is not _start_watched_thread:
        problems.append("the hook that watches new threads was replaced")
    replaced = _replaced_names()
    if replaced:
        problems.append(f"the grader's own code was replaced ({', '.join(replaced[:4])})")
    stray = set(sys._current_frames()) - _State.threads - {_thread.get_ident()}
    if stray:
        problems.append("a thread was started around the watch's thread hook")
    for problem in problems:
        if problem not in _State.tampered:
            _State.tampered.append(problem)
    # Any grader.* import brings the package back first; noted once.
    if "grader" in sys.modules and not any("imported the grader" in n for n in _State.notes):
        imported = sorted(n for n in sys.modules if n == "grader" or n.startswith("grader."))
        note = f"student code imported the grader's modules ({', '.join(imported[:3])})"
        if imported and note not in _State.notes:
            _State.notes.append(note)


def _replaced_names(_call=operator.call, _is_not=operator.is_not) -> list[str]:
    """Which of our own functions and classes no longer are what they were."""
    getters, names, values = _State.snapshot_columns
    current = map(_call, getters, names)
    if not any(map(_is_not, current, values)):   # the common case, in C
        return []
    return sorted({name for namespace, name, value in _State.snapshot
                   if namespace.get(name) is not value})


def _on_stack(kind: str, mode) -> bool:
    if kind == "function":
        depth, at = torch._C._len_torch_function_stack(), torch._C._get_function_stack_at
    else:
        depth, at = torch._C._len_torch_dispatch_stack(), torch._C._get_dispatch_stack_at
    return any(at(index) is mode for index in range(depth))


def tampering() -> list[str]:
    """What student code was seen doing to the watch (empty for honest code)."""
    return list(_State.tampered)


def notes() -> list[str]:
    """Observations for the instructor that change no score."""
    return list(_State.notes)


def forget_observations() -> None:
    """Start a worker with nothing observed: the fork server's own warm-up ran under
    the watch, with all of the grader imported, and every worker inherits what it saw."""
    _State.tampered.clear()
    _State.notes.clear()
