"""Keep torch from importing ``torch._dynamo`` for code that never compiles.

torch marks some of its own Python functions (the wrappers of the meta
kernels, the optimisers' steps) "not for torch.compile" with
``torch._compile._disable_dynamo``.  The marker is built on the function's
first call, and building it imports ``torch._dynamo`` (with sympy): about
3 CPU-seconds, paid by the fork server's warm-up on every batch's critical
path, only because the worker's meta-device check calls a meta kernel.

Until ``torch._dynamo`` is imported nothing can be compiled, so calling such a
function directly is exactly what its marker would do.  :func:`defer` gives
every function torch has marked so far a stand-in marker that does that, and
that builds torch's own marker at the first call after ``torch._dynamo`` has
been imported (student code calling ``torch.compile``).  With another torch
whose marker works differently nothing is found and nothing changes: the
import is then paid as before.
"""
import gc
import sys
import types

_MARKER = "__dynamo_disable"   # the attribute torch._compile caches the marker in


class _Deferred:
    """The marker of one function until ``torch._dynamo`` is loaded, torch's own after."""

    __slots__ = ("fn", "recursive")

    def __init__(self, fn, recursive):
        self.fn, self.recursive = fn, recursive

    def __call__(self, *args, **kwargs):
        if "torch._dynamo" not in sys.modules:
            return self.fn(*args, **kwargs)
        import torch._dynamo
        marker = torch._dynamo.disable(self.fn, self.recursive, wrapping=False)
        setattr(self.fn, _MARKER, marker)
        return marker(*args, **kwargs)


def defer() -> int:
    """Give every function marked so far a deferred marker; returns how many."""
    try:
        from torch._compile import _disable_dynamo
        wrapper_code = _disable_dynamo(lambda: None).__code__
    except (ImportError, AttributeError, TypeError):
        return 0
    if wrapper_code.co_freevars != ("fn", "recursive"):   # not the torch this was written for
        return 0
    count = 0
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__ is wrapper_code:
            fn, recursive = (cell.cell_contents for cell in obj.__closure__)
            if getattr(fn, _MARKER, None) is None:
                setattr(fn, _MARKER, _Deferred(fn, recursive))
                count += 1
    return count
