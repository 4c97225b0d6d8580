"""The worker process: results, student errors, hangs and crashes stay contained."""
import subprocess
import sys

import pytest
import torch

from grader import config
from grader.errors import NotImplementedYet, StudentError, StudentTimeout, WorkerCrashed
from grader.sandbox import Sandbox
from grader.student import Student

CODE = '''
import os, sys, ctypes, torch
print("printed at load")
def double(x):
    print("printed in a call")
    return x * 2
def broken(x):
    return x[99]
def stub(x):
    raise NotImplementedError("Task 9")
def hang(x):
    while True:
        pass
def segfault(x):
    ctypes.string_at(0)
def hard_exit(x):
    os._exit(0)
def soft_exit(x):
    sys.exit(3)
def memory_bomb(x):
    return torch.empty(1 << 40, dtype=torch.uint8)
def where_am_i(x):
    return os.getcwd()
raise ValueError("a top-level error")
def defined_after_error(x):
    return x + 1
while True:
    pass
def defined_after_loop(x):
    return x + 2
'''


@pytest.fixture
def student(monkeypatch):
    monkeypatch.setattr(config, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(config, "STATEMENT_TIMEOUT_S", 0.5)
    box = Sandbox([{"code": CODE, "filename": "sub.py", "label": "sub.py"}], {"f": []})
    s = Student(box)
    s.component = "f"
    yield s
    box.close()


def test_calls_return_plain_tensors(student):
    assert torch.equal(student.call("double", torch.ones(3)), torch.full((3,), 2.0))


def test_student_exception_names_the_line(student):
    with pytest.raises(StudentError) as info:
        student.call("broken", torch.ones(3))
    assert info.value.exc_type == "IndexError" and "sub.py line 8" in info.value.where


@pytest.mark.parametrize("name", ["stub", "not_defined_anywhere"])
def test_stubs_and_missing_names_are_not_implemented(student, name):
    with pytest.raises(NotImplementedYet):
        student.call(name, torch.ones(1))


def test_top_level_errors_and_loops_are_skipped_not_fatal(student):
    assert torch.equal(student.call("defined_after_error", torch.zeros(1)), torch.ones(1))
    assert torch.equal(student.call("defined_after_loop", torch.zeros(1)), torch.full((1,), 2.0))
    problems = {p["type"]: p["where"] for p in student.sandbox.load_problems}
    assert problems == {"ValueError": "sub.py line 24", "Timeout": "sub.py line 27"}


def test_a_hang_ends_its_check_and_the_next_check_gets_a_fresh_worker(student):
    student.sandbox.begin_check(30)
    with pytest.raises(StudentTimeout):
        student.call("hang", torch.ones(1))
    with pytest.raises(StudentTimeout):  # the same check: no second wait
        student.call("double", torch.ones(1))
    student.sandbox.end_check()
    assert torch.equal(student.call("double", torch.ones(1)), torch.full((1,), 2.0))


@pytest.mark.parametrize("name, words", [("segfault", "SIGSEGV"), ("hard_exit", "status 0")])
def test_crashes_are_reported_and_recovered(student, name, words):
    student.sandbox.begin_check(30)
    with pytest.raises(WorkerCrashed, match=words):
        student.call(name, torch.ones(1))
    student.sandbox.end_check()
    assert torch.equal(student.call("double", torch.ones(1)), torch.full((1,), 2.0))


def test_sys_exit_and_memory_bombs_are_ordinary_errors(student):
    with pytest.raises(StudentError, match="SystemExit"):
        student.call("soft_exit", torch.ones(1))
    with pytest.raises(StudentError):
        student.call("memory_bomb", torch.ones(1))
    assert torch.equal(student.call("double", torch.ones(1)), torch.full((1,), 2.0))


def test_worker_runs_in_a_fresh_temporary_folder_and_output_is_captured(student):
    cwd = student.call("where_am_i", torch.ones(1))
    assert "grader-worker-" in cwd
    student.call("double", torch.ones(1))
    student.sandbox.close()
    assert "printed at load" in student.sandbox.output
    assert "printed in a call" in student.sandbox.output


PRIVATE_TEMP = '''
import ctypes, os, sys
from grader import jail
needed, other = sys.argv[1:3]
uid, gid = os.getuid(), os.getgid()
libc = ctypes.CDLL(None, use_errno=True)
flags = jail.CLONE_NEWNS | (0 if uid == 0 else jail.CLONE_NEWUSER)
if libc.unshare(flags) != 0:
    print("no mount namespace here"); sys.exit()
if flags & jail.CLONE_NEWUSER:
    jail._map_ids(uid, gid)
libc.mount(b"none", b"/", None, jail.MS_REC | jail.MS_PRIVATE, None)
print(jail._private_temp(libc, [needed]), os.path.exists(os.path.join(needed, "kept")),
      os.path.exists(other))
'''


def test_temp_folders_are_private_but_what_the_worker_needs_stays(tmp_path):
    """A checkout or virtualenv under /tmp stays visible; its neighbours do not."""
    needed, other = tmp_path / "checkout", tmp_path / "someone-else"
    needed.mkdir()
    (needed / "kept").write_text("x")
    other.mkdir()
    proc = subprocess.run([sys.executable, "-c", PRIVATE_TEMP, str(needed), str(other)],
                          cwd=config.REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    if "no mount namespace" in proc.stdout:
        pytest.skip("no mount namespaces on this machine")
    assert proc.stdout.split() == ["[]", "True", "False"], proc.stdout
