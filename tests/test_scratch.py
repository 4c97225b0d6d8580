"""The from-scratch watch catches banned built-ins however they are reached."""
import importlib
import sys

import torch
import torch.nn.functional as F

from grader import scratch

SOFTMAX_BANS = scratch.BanList(["torch.nn.functional.softmax", "torch.softmax",
                                "torch.Tensor.softmax", "aten::_softmax"])


def used(bans, fn):
    hits = set()
    with scratch.watch(bans, hits):
        fn()
    return hits


def test_direct_call_is_seen():
    assert "torch.nn.functional.softmax" in used(SOFTMAX_BANS, lambda: F.softmax(torch.ones(2, 2), 1))


def test_aliases_getattr_importlib_and_eval_are_seen():
    x = torch.ones(2, 2)
    alias = getattr(importlib.import_module("torch.nn.functional"), "soft" + "max")
    assert used(SOFTMAX_BANS, lambda: alias(x, 1))
    assert used(SOFTMAX_BANS, lambda: eval("x.softmax(1)", {"x": x}))
    assert used(SOFTMAX_BANS, lambda: torch.ops.aten._softmax(x, 1, False))


def test_allowed_code_is_not_flagged():
    x = torch.ones(2, 2)
    assert not used(SOFTMAX_BANS, lambda: x.exp() / x.exp().sum(1, keepdim=True))


def test_packages_are_watched_by_code_location():
    bans = scratch.BanList(["torch.optim"])
    p = torch.nn.Parameter(torch.ones(2))
    assert used(bans, lambda: torch.optim.SGD([p], lr=0.1)) == {"torch.optim"}
    assert not used(bans, lambda: p.detach() * 2)


def _quiet_profile(frame, event, arg):
    """Stands for a profiler or debugger the watch must hand the hook back to."""


def test_watch_restores_previous_state():
    """After the watch: the caller's profile hook is back, none of our modes is left on
    torch's stacks, and a banned call made afterwards is recorded nowhere."""
    x = torch.ones(2, 2)
    bans = scratch.BanList(["torch.optim", "torch.nn.functional.softmax", "aten::_softmax"])
    stacks = (torch._C._len_torch_function_stack(), torch._C._len_torch_dispatch_stack())
    hits = set()
    sys.setprofile(_quiet_profile)
    try:
        with scratch.watch(bans, hits):
            assert sys.getprofile() is scratch._profile     # the watch did install its hook
            F.softmax(x, 1)
        restored = sys.getprofile()
    finally:
        sys.setprofile(None)
    assert restored is _quiet_profile
    assert "torch.nn.functional.softmax" in hits
    seen = set(hits)
    F.softmax(x, 1)   # outside any watch
    assert hits == seen and scratch._Active.hits is None and scratch._Active.bans is None
    assert (torch._C._len_torch_function_stack(), torch._C._len_torch_dispatch_stack()) == stacks


# --- the native operator watch: every thread, every entry point ----------------

import threading  # noqa: E402
import _thread  # noqa: E402

import pytest  # noqa: E402

from grader import native  # noqa: E402

_resolve_backup = scratch.resolve

needs_native = pytest.mark.skipif(native.load_built()[0] is None,
                                  reason=native.load_built()[1] or "native watch missing")
DROPOUT = scratch.BanList(["torch.nn.functional.dropout", "aten::dropout", "aten::dropout_",
                           "aten::feature_dropout", "aten::native_dropout"])


def in_thread(fn):
    worker = threading.Thread(target=fn)
    worker.start()
    worker.join()


def in_raw_thread(fn):
    done = _thread.allocate_lock()
    done.acquire()

    def run():
        try:
            fn()
        finally:
            done.release()
    _thread.start_new_thread(run, ())
    done.acquire()


@needs_native
@pytest.mark.parametrize("start", [in_thread, in_raw_thread], ids=["threading", "_thread"])
def test_banned_calls_in_other_threads_are_seen(start):
    x = torch.ones(2, 2)
    assert "aten::_softmax" in used(SOFTMAX_BANS, lambda: start(lambda: F.softmax(x, 1)))
    optim = scratch.BanList(["torch.optim", "record:Optimizer.step#*"])
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    hits = used(optim, lambda: start(lambda: torch.optim.SGD([p], lr=0.1).step()))
    assert {"torch.optim", "record:Optimizer.step#*"} <= hits


def _scripted_dropout(t: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.dropout(t, 0.5, True)


@needs_native
@pytest.mark.parametrize("call", [
    lambda x: torch.ops.aten.dropout.default(x, 0.5, True),   # decomposes on the CPU
    lambda x: torch.dropout_(x.clone(), 0.5, True),
    lambda x: torch.feature_dropout(x, 0.5, True),
    lambda x: torch.jit.script(_scripted_dropout)(x),
], ids=["ops_default", "in_place", "feature", "torchscript"])
def test_composite_operators_are_seen_before_they_decompose(call):
    assert used(DROPOUT, lambda: call(torch.ones(4, 4))) & {
        "aten::dropout", "aten::dropout_", "aten::feature_dropout"}


@needs_native
def test_lower_level_bindings_are_seen():
    bans = scratch.BanList(["aten::thnn_conv2d", "aten::adaptive_max_pool2d", "aten::linear"])
    x = torch.ones(1, 1, 4, 4)
    hits = used(bans, lambda: (torch._C._nn.thnn_conv2d(x, torch.ones(1, 1, 2, 2), (2, 2)),
                               torch._C._nn.adaptive_max_pool2d(x, (2, 2)),
                               torch.ops.aten.linear.default(torch.ones(2, 3), torch.ones(4, 3))))
    assert hits == {"aten::thnn_conv2d", "aten::adaptive_max_pool2d", "aten::linear"}


@needs_native
def test_switching_torch_modes_off_does_not_hide_operators():
    from torch.utils._python_dispatch import _disable_current_modes
    x = torch.ones(2, 2)

    def hidden():
        with torch._C.DisableTorchFunction(), _disable_current_modes():
            F.softmax(x, 1)
    assert "aten::_softmax" in used(SOFTMAX_BANS, hidden)


@needs_native
def test_switching_record_functions_off_is_tampering():
    scratch._State.tampered.clear()
    try:
        used(SOFTMAX_BANS, lambda: torch._C._autograd._enable_record_function(False))
        assert any("record-function" in t for t in scratch.tampering())
    finally:
        torch._C._autograd._enable_record_function(True)
        scratch._State.tampered.clear()


def test_emptying_the_record_of_hits_is_tampering():
    scratch._State.tampered.clear()
    hits = set()
    with scratch.watch(SOFTMAX_BANS, hits):
        F.softmax(torch.ones(2, 2), 1)
        scratch._Active.hits.clear()
    assert "the record of banned calls was emptied" in scratch.tampering()
    scratch._State.tampered.clear()


def test_replacing_the_graders_code_is_tampering():
    scratch._State.tampered.clear()
    scratch.protect([scratch])
    try:
        with scratch.watch(SOFTMAX_BANS, set()):
            scratch.resolve = None
        assert any("grader's own code was replaced (resolve)" in t for t in scratch.tampering())
    finally:
        scratch.resolve = _resolve_backup
        scratch._State.tampered.clear()
        scratch._State.snapshot = []


def test_popping_the_watch_mode_is_tampering_but_pushing_one_is_not():
    scratch._State.tampered.clear()
    try:
        with scratch.watch(SOFTMAX_BANS, set()):
            torch.set_default_device("cpu")   # honest: a mode pushed above ours
        torch.set_default_device(None)
        assert scratch.tampering() == []
        with pytest.raises(RuntimeError):
            with scratch.watch(SOFTMAX_BANS, set()):
                torch._C._pop_torch_function_stack()
        assert "the torch function mode stack was changed" in scratch.tampering()
    finally:
        scratch._State.tampered.clear()


# --- unit tests of the watch's parts (what ``make mutate`` judges scratch by) -----

def test_a_native_name_maps_back_to_the_ban_that_asked_for_it():
    bans = scratch.BanList(["aten::_softmax", "aten::soft*", "aten::log*", "aten::log",
                            "record:Optimizer.step#*", "record:Optimizer.zero_grad"])
    assert bans.name_of_native("aten::_softmax") == "aten::_softmax"
    assert bans.name_of_native("aten::soft") == "aten::soft*"       # a prefix ban, reported bare
    assert bans.name_of_native("aten::log") == "aten::log"          # the exact ban first
    assert bans.name_of_native("Optimizer.step#") == "record:Optimizer.step#*"
    assert bans.name_of_native("Optimizer.zero_grad") == "record:Optimizer.zero_grad"
    assert bans.name_of_native("aten::other") == "aten::other"      # unknown: as reported


def test_a_watched_call_keeps_its_keyword_arguments():
    x = torch.arange(6.0).reshape(2, 3)
    with scratch.watch(SOFTMAX_BANS, set()):
        total = torch.sum(x, dim=0)
    assert torch.equal(total, torch.tensor([3.0, 5.0, 7.0]))


def test_a_thread_started_through_the_hook_gets_its_arguments_and_the_watch():
    scratch.install()
    done, seen = threading.Event(), []

    def body(a, b=None):
        seen.append((a, b, _thread.get_ident(), torch._C._len_torch_function_stack(),
                     torch._C._len_torch_dispatch_stack(), sys.getprofile()))
        done.set()
    ident = _thread.start_new_thread(body, (1,), {"b": 2})
    assert ident in scratch._State.threads    # added by the parent, before the child runs
    assert done.wait(30)
    [(a, b, child, functions, dispatch, profile)] = seen
    assert (a, b, child) == (1, 2, ident) and None not in scratch._State.threads
    assert functions == 1 and profile is scratch._profile
    assert dispatch == (0 if scratch._State.native is not None else 1)


def test_a_mode_is_found_on_its_own_stack_only_while_pushed():
    for kind, mode_class in (("function", scratch._FunctionWatch),
                             ("dispatch", scratch._OperatorWatch)):
        with mode_class() as mode:
            assert scratch._on_stack(kind, mode)
        assert not scratch._on_stack(kind, mode)


def test_protect_remembers_the_methods_of_classes_defined_in_the_module(monkeypatch):
    import types
    monkeypatch.setattr(scratch._State, "snapshot", scratch._State.snapshot)
    monkeypatch.setattr(scratch._State, "snapshot_columns", scratch._State.snapshot_columns)
    module = types.ModuleType("fake_grader_module")
    exec("from collections import OrderedDict\nclass Mine:\n    def method(self):\n"
         "        pass\ndef helper():\n    pass\n", vars(module))
    scratch.protect([module])
    names = {name for _, name, _ in scratch._State.snapshot}
    assert {"Mine", "method", "helper", "OrderedDict"} <= names and "popitem" not in names


def test_without_the_native_watch_the_dispatch_mode_sees_operators(monkeypatch):
    scratch.install()   # first, or it would load the native watch over the None below
    monkeypatch.setattr(scratch._State, "native", None)
    x = torch.arange(6.0).reshape(2, 3)
    bans = scratch.BanList(["aten::_softmax"])
    assert used(bans, lambda: F.softmax(x, 1)) == {"aten::_softmax"}
    assert not used(bans, lambda: x.exp() / x.exp().sum(1, keepdim=True))
    with scratch.watch(bans, set()):
        assert torch._C._len_torch_dispatch_stack() == 1
        total = torch.sum(x, dim=0, dtype=torch.float64)   # dtype: keyword-only in the schema
    assert total.dtype == torch.float64 and total.tolist() == [3.0, 5.0, 7.0]


def test_without_the_native_watch_the_isolation_notes_say_why(monkeypatch):
    monkeypatch.setattr(scratch._State, "native", None)
    monkeypatch.setattr(scratch._State, "native_problem", "no compiler")
    monkeypatch.setattr(scratch._State, "installed", True)
    assert scratch.isolation_notes() == ["from-scratch watch: thread-local only (no compiler)"]
    monkeypatch.setattr(scratch._State, "native", object())
    assert scratch.isolation_notes() == []


def test_a_child_process_is_noted_once_and_never_in_the_server(monkeypatch):
    import os
    monkeypatch.setattr(scratch._State, "notes", [])
    scratch._note_fork(os.getpid())
    assert scratch.notes() == []
    scratch._note_fork(-1)
    scratch._note_fork(-1)
    assert scratch.notes() == ["student code started a child process; the from-scratch watch "
                               "does not see what runs in it"]
    scratch.notes().clear()
    assert len(scratch.notes()) == 1
