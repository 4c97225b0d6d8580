"""The from-scratch watch catches banned built-ins however they are reached."""
import importlib
import os
import sys
import time
import types
from contextlib import contextmanager

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
        assert scratch.tampering() == [
            "torch's record-function callbacks were switched off or cleared"]
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


@pytest.mark.parametrize("native_watch", [True, False], ids=["native", "fallback"])
def test_a_thread_started_through_the_hook_gets_its_arguments_and_the_watch(
        native_watch, monkeypatch):
    scratch.install()
    if not native_watch:
        monkeypatch.setattr(scratch._State, "native", None)
    done, seen, failed = threading.Event(), [], []
    # a thread that fails before its body runs ends now, not at the timeout below
    monkeypatch.setattr(sys, "unraisablehook", lambda u: (failed.append(u.exc_value), done.set()))

    def body(a, b=None):
        seen.append((a, b, _thread.get_ident(), torch._C._len_torch_function_stack(),
                     torch._C._len_torch_dispatch_stack(), sys.getprofile()))
        done.set()
    ident = _thread.start_new_thread(body, (1,), {"b": 2})
    assert ident in scratch._State.threads    # added by the parent, before the child runs
    assert done.wait(30) and not failed
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


# --- what a fresh install sets up, and what the check after each call notices ----

@pytest.fixture
def fresh_install(monkeypatch):
    """The watch as the fork server first installs it: nothing kept from an earlier
    install of this process (each worker runs the install once, before student code)."""
    for name, value in (("installed", False), ("native", None), ("native_problem", ""),
                        ("threads", set()), ("snapshot", []), ("snapshot_columns", ((), (), ())),
                        ("tampered", []), ("notes", [])):
        monkeypatch.setattr(scratch._State, name, value)
    monkeypatch.setattr(_thread, "start_new_thread", scratch._ORIGINAL_START)
    monkeypatch.setattr(threading, "_start_new_thread", scratch._ORIGINAL_START)


@contextmanager
def _parked_thread():
    """A thread started with the original ``_thread.start_new_thread`` (around any hook),
    alive until the block ends and gone from ``sys._current_frames()`` after it."""
    running, release = _thread.allocate_lock(), _thread.allocate_lock()
    running.acquire()
    release.acquire()

    def park():
        running.release()
        release.acquire()
    ident = scratch._ORIGINAL_START(park, ())
    running.acquire()
    try:
        yield ident
    finally:
        release.release()
        deadline = time.monotonic() + 30
        while ident in sys._current_frames() and time.monotonic() < deadline:
            time.sleep(0.001)


def test_a_fresh_install_hooks_threads_and_an_honest_call_is_not_tampering(fresh_install):
    scratch.install()
    seen = []
    x = torch.ones(2, 2)
    worker = threading.Thread(target=lambda: seen.append(F.softmax(x, 1).sum().item()))
    hits = used(SOFTMAX_BANS, lambda: (worker.start(), worker.join()))
    assert seen == [2.0] and "torch.nn.functional.softmax" in hits
    assert scratch.tampering() == []
    assert scratch.isolation_notes() == ([] if native.load_built()[0] is not None else [
        f"from-scratch watch: thread-local only ({native.load_built()[1]})"])


def test_a_fresh_install_without_the_native_watch_falls_back_and_says_why(
        fresh_install, monkeypatch):
    monkeypatch.setattr(scratch.native, "load_built", lambda: (None, "no compiler here"))
    scratch.install()
    assert scratch.isolation_notes() == ["from-scratch watch: thread-local only (no compiler here)"]
    x = torch.arange(6.0).reshape(2, 3)
    assert used(scratch.BanList(["aten::_softmax"]), lambda: F.softmax(x, 1)) == {"aten::_softmax"}
    assert scratch.tampering() == []


def test_the_install_protects_every_grader_module_and_only_those(fresh_install, monkeypatch):
    import grader
    scratch.install()
    other = types.ModuleType("not_the_grader")
    exec("def helper():\n    pass\n", vars(other))
    monkeypatch.setitem(sys.modules, "not_the_grader", other)
    with scratch.watch(SOFTMAX_BANS, set()):
        monkeypatch.setattr(other, "helper", None)      # not ours: not protected
    assert scratch.tampering() == []
    with scratch.watch(SOFTMAX_BANS, set()):
        monkeypatch.setattr(grader, "__getattr__", None)    # the package itself
        monkeypatch.setattr(scratch, "resolve", None)       # one of its modules
    assert scratch.tampering() == ["the grader's own code was replaced (__getattr__, resolve)"]


def test_the_install_notes_a_fork_from_any_process_but_the_installing_one(
        fresh_install, monkeypatch):
    """The fork handler is given the installing process (the fork server), which
    ``_note_fork`` tells apart from a worker (the test above)."""
    scratch.install()
    servers = []
    monkeypatch.setattr(scratch, "_note_fork", servers.append)
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    assert os.getpid() in servers     # the handler compares with the installing process


def test_threads_from_before_the_install_are_ours_one_started_around_the_hook_is_not(
        fresh_install):
    with _parked_thread():
        scratch.install()
        used(SOFTMAX_BANS, lambda: None)
        assert scratch.tampering() == []
        with _parked_thread():       # student code saved the original and used it
            used(SOFTMAX_BANS, lambda: None)
    assert scratch.tampering() == ["a thread was started around the watch's thread hook"]


@pytest.mark.parametrize("module", [_thread, threading], ids=["_thread", "threading"])
def test_replacing_either_thread_hook_is_tampering(module, monkeypatch):
    monkeypatch.setattr(scratch._State, "tampered", [])
    scratch.install()
    attribute = "start_new_thread" if module is _thread else "_start_new_thread"
    with scratch.watch(SOFTMAX_BANS, set()):
        monkeypatch.setattr(module, attribute, scratch._ORIGINAL_START)
    assert scratch.tampering() == ["the hook that watches new threads was replaced"]


def test_replacing_the_profile_hook_is_tampering_keeping_it_is_not(monkeypatch):
    monkeypatch.setattr(scratch._State, "tampered", [])
    bans = scratch.BanList(["torch.optim"])
    used(bans, lambda: None)
    assert scratch.tampering() == []
    used(bans, lambda: sys.setprofile(None))
    assert scratch.tampering() == ["the profile hook that sees torch.optim was replaced"]


def test_replaced_code_names_the_first_four_replaced_names(monkeypatch):
    monkeypatch.setattr(scratch._State, "tampered", [])
    monkeypatch.setattr(scratch._State, "snapshot", scratch._State.snapshot)
    monkeypatch.setattr(scratch._State, "snapshot_columns", scratch._State.snapshot_columns)
    scratch.protect([scratch])
    with scratch.watch(SOFTMAX_BANS, set()):
        for name in ("resolve", "notes", "isolation_notes", "forget_observations", "_note_fork"):
            monkeypatch.setattr(scratch, name, None)
    assert scratch.tampering() == ["the grader's own code was replaced "
                                   "(_note_fork, forget_observations, isolation_notes, notes)"]


def test_a_student_import_of_the_grader_is_noted_once(monkeypatch):
    """The worker drops our modules from ``sys.modules``; an import brings fresh copies."""
    scratch.install()
    monkeypatch.setattr(scratch._State, "notes", [])
    ours = {n: m for n, m in sys.modules.items() if n == "grader" or n.startswith("grader.")}
    try:
        for name in ours:
            del sys.modules[name]
        used(SOFTMAX_BANS, lambda: None)
        assert scratch.notes() == []
        used(SOFTMAX_BANS, lambda: importlib.import_module("grader.compare"))
        used(SOFTMAX_BANS, lambda: importlib.import_module("grader.box"))   # noted already
    finally:
        for name in [n for n in sys.modules if n == "grader" or n.startswith("grader.")]:
            del sys.modules[name]
        sys.modules.update(ours)
    assert scratch.notes() == [
        "student code imported the grader's modules (grader, grader.compare, grader.errors)"]


def test_torch_compile_is_told_once_to_leave_the_watch_alone(monkeypatch):
    """Once student code has brought in torch.compile (dynamo), dynamo skips our files."""
    import torch._dynamo.trace_rules as rules
    ours = os.path.dirname(os.path.abspath(scratch.__file__)) + os.sep
    kept = list(rules.SKIP_DIRS)
    monkeypatch.setattr(scratch._State, "dynamo_skipped", False)
    try:
        rules.SKIP_DIRS[:] = [d for d in kept if d != ours]
        rules._recompile_re()
        assert not rules.SKIP_DIRS_RE.match(scratch.__file__)
        used(SOFTMAX_BANS, lambda: None)
        used(SOFTMAX_BANS, lambda: None)
        assert rules.SKIP_DIRS.count(ours) == 1
        assert rules.SKIP_DIRS_RE.match(scratch.__file__)
    finally:
        rules.SKIP_DIRS[:] = kept
        rules._recompile_re()


def test_a_two_part_name_resolves_to_the_attribute_of_its_module():
    x = torch.ones(2, 2)
    assert used(scratch.BanList(["torch.softmax"]), lambda: torch.softmax(x, 1)) == {
        "torch.softmax"}


@pytest.fixture
def ban_package(tmp_path, monkeypatch):
    """A package never imported yet, with a module to ban and one next to it."""
    package = tmp_path / "scratch_ban_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "banned.py").write_text("def run(then=None):\n    then and then()\n"
                                       "    return 1\n")
    (package / "allowed.py").write_text("def run():\n    return 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("scratch_ban_pkg", "scratch_ban_pkg.banned", "scratch_ban_pkg.allowed"):
        monkeypatch.delitem(sys.modules, name, raising=False)


def test_a_banned_module_is_imported_if_needed_and_bans_only_its_own_file(ban_package):
    bans = scratch.BanList(["scratch_ban_pkg.banned"])     # not imported before
    allowed = importlib.import_module("scratch_ban_pkg.allowed")
    banned = sys.modules["scratch_ban_pkg.banned"]
    assert used(bans, allowed.run) == set()
    assert used(bans, banned.run) == {"scratch_ban_pkg.banned"}


def test_a_name_that_no_longer_resolves_bans_nothing_and_breaks_nothing(monkeypatch):
    """Bans are resolved in the worker after student code ran at load: it may have
    deleted a banned attribute."""
    monkeypatch.delattr(torch.nn.functional, "softmin")
    bans = scratch.BanList(["torch.nn.functional.softmin", "torch.nn.functional.softmax"])
    assert list(bans.callables.values()) == ["torch.nn.functional.softmax"]


def test_the_ban_list_keeps_what_it_banned_alive(monkeypatch):
    """A banned object only the list still holds keeps its id: no other object takes it."""
    import gc
    import weakref
    module = types.ModuleType("scratch_short_lived")
    exec("def helper():\n    pass\n", vars(module))
    monkeypatch.setitem(sys.modules, "scratch_short_lived", module)
    alive = weakref.ref(module.helper)
    bans = scratch.BanList(["scratch_short_lived.helper"])
    del module.helper
    gc.collect()
    assert alive() is not None and id(alive()) in bans.callables


def test_banned_code_is_charged_to_the_call_that_entered_it_not_one_it_ends_in(ban_package):
    """A thread of one call still inside banned code when the next call starts: the
    next call did not use it (only what is entered during a call is recorded)."""
    scratch.install()
    bans = scratch.BanList(["scratch_ban_pkg.banned"])
    banned = sys.modules["scratch_ban_pkg.banned"]
    inside, go = threading.Event(), threading.Event()
    worker = threading.Thread(target=banned.run, args=(lambda: (inside.set(), go.wait(30)),))
    assert used(bans, lambda: (worker.start(), inside.wait(30))) == {"scratch_ban_pkg.banned"}
    assert used(bans, lambda: (go.set(), worker.join())) == set()
