"""Detect, while student code runs, calls to the built-ins it must not use.

Runs inside the worker.  Three nets, so that aliases, ``getattr``,
``importlib`` or ``eval`` cannot hide a call (they all end up at the same
objects and operators):

* ``TorchFunctionMode`` sees every public torch function and tensor method by
  identity (``F.softmax``, ``torch.softmax`` and ``Tensor.softmax`` alike);
* ``TorchDispatchMode`` sees the ATen operators underneath (``aten::_softmax``
  even when reached through ``torch.ops`` or ``torch._C``);
* a profile hook sees Python code executed from banned modules
  (``torch.optim``: an optimizer has no operator of its own).

Banned names are data (the rubric): ``"torch.nn.functional.softmax"`` names a
callable, ``"aten::_softmax"`` an operator, ``"torch.optim"`` a package.
"""
import importlib
import os
import sys
import types
from contextlib import ExitStack, contextmanager

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


class BanList:
    """Banned callables, operators and packages, resolved from dotted names."""

    def __init__(self, names):
        self.callables: dict[int, str] = {}
        self.operators: dict[str, str] = {}
        self.packages: dict[str, str] = {}
        self._targets = []  # keeps resolved objects alive so their ids stay valid
        for name in names:
            self._add(name)

    def _add(self, name: str):
        if name.startswith("aten::"):
            self.operators[name] = name
            return
        target = _resolve(name)
        if isinstance(target, types.ModuleType):
            root = os.path.dirname(target.__file__) if target.__file__.endswith(
                "__init__.py") else target.__file__
            self.packages[root] = name
        elif target is not None:
            self.callables[id(target)] = name
            self._targets.append(target)

    def __bool__(self):
        return bool(self.callables or self.operators or self.packages)


def _resolve(dotted: str):
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


class _FunctionWatch(TorchFunctionMode):
    def __init__(self, bans: BanList, hits: set):
        super().__init__()
        self.bans, self.hits = bans, hits

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = self.bans.callables.get(id(func))
        if name:
            self.hits.add(name)
        return func(*args, **(kwargs or {}))


class _OperatorWatch(TorchDispatchMode):
    def __init__(self, bans: BanList, hits: set):
        super().__init__()
        self.bans, self.hits = bans, hits

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """Nothing here is compiled: without this, torch wraps ``__torch_dispatch__``
        in two layers of "disable dynamo" that cost more than the lookup itself,
        once per operator of every student call (a training loop runs thousands)."""
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = self.bans.operators.get(f"aten::{func.__name__.split('.')[0]}")
        if name:
            self.hits.add(name)
        return func(*args, **(kwargs or {}))


@contextmanager
def _package_watch(bans: BanList, hits: set):
    roots = tuple(bans.packages)
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(roots):
            for root in roots:
                if frame.f_code.co_filename.startswith(root):
                    hits.add(bans.packages[root])

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


@contextmanager
def watch(bans: BanList, hits: set):
    """Record into ``hits`` the banned names used inside the block."""
    with ExitStack() as stack:
        if bans.callables:
            stack.enter_context(_FunctionWatch(bans, hits))
        if bans.operators:
            stack.enter_context(_OperatorWatch(bans, hits))
        if bans.packages:
            stack.enter_context(_package_watch(bans, hits))
        yield hits

