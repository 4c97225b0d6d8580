"""The worker process: results, student errors, hangs and crashes stay contained."""
import errno
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

import pytest
import torch

from grader import config, spawner
from grader.box import landlock, limits as box_limits
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
def shout(x):
    print("secret input", x.tolist())
    return x
def overwrite_output(x):
    os.pwrite(1, ("secret input " + str(x.tolist())).encode(), 0)
    return x
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


def test_a_request_that_runs_a_component_that_hung_gets_the_short_limit(student):
    """A training run uses the student's softmax: once softmax has hung, a run that
    uses it gets the after-hang limit, not the rubric's long one, so it cannot spend
    the time the remaining checks need (the old code waited the full 30 s here)."""
    student.sandbox.begin_check(30)
    with pytest.raises(StudentTimeout):
        student.call("hang", torch.ones(1))        # component "f" hangs
    student.sandbox.end_check()
    student.component = "training"
    student.sandbox.begin_check(30)                # a check with the rubric's long limit
    started = time.monotonic()
    with pytest.raises(StudentTimeout, match="it uses f, which hung in an earlier check"):
        student.run("hang", torch.ones(1), uses=["f"])
    assert time.monotonic() - started < config.CALL_TIMEOUT_AFTER_HANG_S + 5
    student.sandbox.end_check()


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


@pytest.mark.parametrize("leak", ["shout", "overwrite_output"])
def test_what_student_code_prints_in_a_hidden_check_never_reaches_its_output(student, leak):
    student.sandbox.begin_check(30)
    student.call("shout", torch.tensor([1.0]))       # a public check: shown
    student.sandbox.end_check()
    student.sandbox.begin_check(30, hidden=True)
    student.call(leak, torch.tensor([7.0]))          # printed, or written over what was shown
    student.sandbox.end_check()
    student.sandbox.begin_check(30)                  # public again: still held back
    student.call("shout", torch.tensor([8.0]))
    student.sandbox.end_check()
    student.sandbox.close()
    output = student.sandbox.output
    assert "printed at load" in output and "secret input [1.0]" in output
    assert "7.0" not in output and "8.0" not in output
    assert output.endswith("during hidden checks is not shown ...]")


BOX_VIEW = '''
import os, glob
REPO = "@REPO@"
def look(x):
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    return {
        "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
        "root": sorted(os.listdir("/")),
        "hidden": [p for p in ("reference", "tests", ".git", "grader/checks", "out")
                   if os.path.exists(os.path.join(REPO, p))],
        "caps": [status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb")],
        "no_new_privs": status["NoNewPrivs"].strip(), "seccomp": status["Seccomp"].strip(),
        "pids": sorted(glob.glob("/proc/[0-9]*")), "fds": sorted(f for f in os.listdir("/proc/self/fd") if _open(int(f))),
        "environ": sorted(os.environ), "etc": sorted(os.listdir("/etc")),
    }
def _open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False
def parent_death(x):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    armed = ctypes.c_int(0)
    libc.prctl(2, ctypes.byref(armed), 0, 0, 0)        # PR_GET_PDEATHSIG
    cleared = libc.prctl(1, 0, 0, 0, 0)                 # PR_SET_PDEATHSIG, 0
    return {"armed": armed.value, "clear": cleared, "errno": ctypes.get_errno()}
def try_write(x):
    done = []
    for path in ("/usr/pwned", "/etc/pwned", REPO + "/pwned", os.getcwd() + "/ok", "/tmp/ok"):
        try:
            open(path, "w").close()
            done.append(path)
        except OSError:
            pass
    return done
def hold_memory(x):
    """Memory no address-space limit counts: each way that worked."""
    import ctypes, mmap, socket
    libc = ctypes.CDLL(None, use_errno=True)
    held = []
    try:
        os.memfd_create("hoard")
        held.append("memfd_create")
    except OSError:
        pass
    if libc.shmget(0, 1 << 20, 0o1600) >= 0:        # IPC_PRIVATE, IPC_CREAT | 0600
        held.append("shmget")
    if libc.msgget(0, 0o1600) >= 0:
        held.append("msgget")
    if libc.syscall(447, 0) >= 0:                      # memfd_secret
        held.append("memfd_secret")
    left, right = socket.socketpair()
    try:
        socket.send_fds(left, [b"x"], [left.fileno()])
        held.append("sendmsg")                         # a descriptor in flight, out of sight
    except OSError:
        pass
    if libc.prctl(4, 0, 0, 0, 0) == 0:                 # PR_SET_DUMPABLE 0: hides /proc/pid/fd
        held.append("undumpable")
    import resource
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 1024:
        held.append("open files unbounded")
    return held
def unmount_all(x):
    c = __import__("c" + "types")
    libc = c.CDLL(None, use_errno=True)
    points = [line.split()[4] for line in open("/proc/self/mountinfo")]
    return [p for p in reversed(points) for flags in (0, 2) if libc.umount2(p.encode(), flags) == 0]
'''


@pytest.fixture
def boxed(monkeypatch):
    monkeypatch.setenv("LMS_API_TOKEN", "tok-secret")
    box = Sandbox([{"code": BOX_VIEW.replace("@REPO@", str(config.REPO_ROOT)),
                    "filename": "box.py", "label": "box.py"}], {"f": []})
    s = Student(box)
    s.component = "f"
    yield s
    box.close()


def _box_or_skip(student):
    student.sandbox.start()
    if not any(layer.startswith("namespaces") for layer in student.sandbox.isolation):
        pytest.skip(f"no namespaces here: {student.sandbox.isolation}")


def test_the_worker_sees_only_its_box_and_holds_no_privilege(boxed):
    _box_or_skip(boxed)
    seen = boxed.call("look", torch.ones(1))
    assert seen["uid"] == seen["gid"] == 65534 and seen["groups"] == []
    assert seen["hidden"] == []
    assert set(seen["root"]) <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc",
                                 "dev", "proc", "tmp", *config.REPO_ROOT.parts[1:2], "root"}
    assert seen["caps"] == ["0000000000000000"] * 4
    assert seen["no_new_privs"] == "1" and seen["seccomp"] == "2"
    assert seen["pids"] == ["/proc/1"]                       # the scorer is not visible
    assert seen["fds"] == ["0", "1", "2", "3"]               # its channel and output only
    assert "LMS_API_TOKEN" not in seen["environ"] and "PATH" in seen["environ"]
    assert seen["etc"] == ["group", "hosts", "ld.so.cache", "passwd"]


def test_only_the_work_folder_and_temp_are_writable(boxed):
    _box_or_skip(boxed)
    written = boxed.call("try_write", torch.ones(1))
    assert [os.path.basename(p) for p in written] == ["ok", "ok"], written


def test_no_memory_outside_the_address_space_limit(boxed):
    """F6: without a memory cgroup nothing else would bound memfds or SysV memory."""
    boxed.sandbox.start()
    if "seccomp" not in boxed.sandbox.isolation:
        pytest.skip(f"no seccomp here: {boxed.sandbox.isolation}")
    assert boxed.call("hold_memory", torch.ones(1)) == []


def test_mounts_are_locked_even_for_root_in_the_box(boxed):
    _box_or_skip(boxed)
    assert boxed.call("unmount_all", torch.ones(1)) == []


def test_a_worker_dies_with_its_parent_and_cannot_undo_it(boxed):
    """Changing uids clears the parent-death signal; an ordinary user's scorer cannot
    signal a worker in a subordinate uid, so the worker must die with the process that
    started it (a looping worker outlived its batch).  Student code cannot clear it."""
    boxed.sandbox.start()
    seen = boxed.call("parent_death", torch.ones(1))
    assert seen["armed"] == signal.SIGKILL
    if "seccomp" in boxed.sandbox.isolation:
        assert (seen["clear"], seen["errno"]) == (-1, errno.EPERM)


def test_the_fork_server_survives_malformed_requests():
    """Garbage ends only the connection (or the worker) that sent it."""
    address = spawner.start()
    out = os.memfd_create("out")
    ours, theirs = socket.socketpair()
    for body, fds in ((b"", []), (b"\x00" * 3, []), (struct.pack("<q", 10), []),
                      (struct.pack("<q", -1), [out, theirs.fileno()]),
                      (struct.pack("<q", 1 << 40), [out, theirs.fileno()]),
                      (struct.pack("<q", 5), [out]),
                      (struct.pack("<q", 5) + b"nojsn", [out, theirs.fileno()])):
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(address)
            try:   # the server may hang up as soon as it has read a bad header
                if fds:
                    socket.send_fds(client, [body[:8]], fds)
                    client.sendall(body[8:])
                else:
                    client.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                continue
            client.settimeout(10)
            try:
                client.recv(16)
            except OSError:
                pass
    box = Sandbox([{"code": "def f(x):\n    return x + 1\n", "filename": "s.py",
                    "label": "s.py"}], {"f": []})
    student = Student(box)
    student.component = "f"
    try:
        assert torch.equal(student.call("f", torch.zeros(1)), torch.ones(1))
    finally:
        box.close()
        os.close(out)


LIFETIME = '''
import sys, time, torch
from grader.sandbox import Sandbox
box = Sandbox([{"code": "import time\\ntime.sleep(60)\\n", "filename": "s.py", "label": "s.py"}],
              {"f": []})
box.budget_s = 120
import threading
threading.Thread(target=lambda: box.start(), daemon=True).start()
while box.process is None:
    time.sleep(0.05)
print(box.process.pid, flush=True)
time.sleep(60)
'''


def test_workers_die_with_the_process_that_started_them():
    """SIGKILL of the grader ends its fork server, whose workers die with it."""
    proc = subprocess.Popen([sys.executable, "-c", LIFETIME], cwd=config.REPO_ROOT,
                            stdout=subprocess.PIPE, text=True)
    pid = int(proc.stdout.readline())
    assert os.path.exists(f"/proc/{pid}")
    proc.kill()
    proc.wait()
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}") or _zombie(pid):
            break
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)


CGROUPS_OF_A_KILLED_SCORER = '''
import os, threading, time
from grader.sandbox import Sandbox
box = Sandbox([{"code": "import time\\ntime.sleep(60)\\n", "filename": "s.py", "label": "s.py"}],
              {"f": []})
box.budget_s = 120
threading.Thread(target=lambda: box.start(), daemon=True).start()
for _ in range(600):
    if box._cgroups:
        break
    time.sleep(0.05)
print(" ".join(box._cgroups), flush=True)
time.sleep(60)
'''


def _cgroup_parents() -> list[str]:
    return box_limits._parents(box_limits.PARENT)


def test_no_cgroup_outlives_a_scorer_killed_with_sigkill():
    """The fork server removes its scorers' groups when it ends (it ends with them)."""
    proc = subprocess.Popen([sys.executable, "-c", CGROUPS_OF_A_KILLED_SCORER],
                            cwd=config.REPO_ROOT, stdout=subprocess.PIPE, text=True)
    groups = proc.stdout.readline().split()
    if not groups:
        proc.kill()
        pytest.skip("no writable cgroups here")
    assert all(os.path.isdir(group) for group in groups)
    proc.kill()
    proc.wait()
    for _ in range(200):
        if not any(os.path.exists(group) for group in groups):
            break
        time.sleep(0.05)
    assert not [group for group in groups if os.path.exists(group)]


def test_a_new_fork_server_sweeps_groups_whose_scorer_is_gone(tmp_path):
    if not _cgroup_parents():
        pytest.skip("no cgroups here")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = []
    for parent in (*_cgroup_parents(), *box_limits._parents(box_limits.LEGACY_PARENT)):
        name = f"{dead.pid}-1" if parent.endswith(box_limits.PARENT) else str(dead.pid)
        try:
            os.makedirs(os.path.join(parent, name))
        except OSError:
            continue
        stale.append(os.path.join(parent, name))
    if not stale:
        pytest.skip("no writable cgroups here")
    env = {**os.environ, "PYTHONPATH": str(config.REPO_ROOT)}
    subprocess.run([sys.executable, "-c", "from grader import spawner; spawner.plan()"],
                   cwd=config.REPO_ROOT, env=env, check=True, timeout=120)
    assert not [group for group in stale if os.path.exists(group)]


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1].startswith("Z")
    except OSError:
        return True


# --- degraded machines (layers switched off with GRADER_SANDBOX_OFF) ----------

PEEK = '''
import os
def _peek():
    for path in ("@REPO@/reference/hw1.py", "/etc/shadow"):
        try:
            open(path).read(1)
            print("READABLE", path)
        except OSError:
            print("blocked", path)
    print("uid", os.getuid())
_peek()
'''


def _submission(tmp_path, addition: str = PEEK):
    path = tmp_path / "hw1.py"
    path.write_text((config.REPO_ROOT / "reference" / "hw1.py").read_text()
                    + addition.replace("@REPO@", str(config.REPO_ROOT)))
    return path


def _grade_with(tmp_path, off: str, *extra, addition: str = PEEK, only: str = "softmax"):
    out = tmp_path / f"result-{off or 'all'}.json"
    env = {**os.environ, "GRADER_SANDBOX_OFF": off, "PYTHONPATH": str(config.REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "grader", "grade",
                           _submission(tmp_path, addition),
                           "--assignment", "hw1", "--only", only, "--json", out, *extra],
                          cwd=config.REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert out.exists(), proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc


@pytest.mark.skipif(landlock.abi() == 0, reason="no Landlock on this kernel")
def test_without_namespaces_landlock_and_an_unprivileged_uid_still_hide_the_checkout(tmp_path):
    result, proc = _grade_with(tmp_path, "namespaces")
    layers = result["isolation"]
    assert not any(layer.startswith("namespaces") for layer in layers), layers
    assert any(layer.startswith("landlock") for layer in layers), layers
    assert "seccomp" in layers and "no_new_privs" in layers
    if os.geteuid() == 0:   # a uid of its own, out of the configured range
        assert f"uid {config.BOX_UID_BASE}+slot (one per box)" in layers, layers
        uid = int(re.search(r"uid (\d+)", result["student_output"]).group(1))
        assert config.BOX_UID_BASE <= uid < config.BOX_UID_BASE + config.BOX_SLOTS
    assert "READABLE" not in result["student_output"], result["student_output"]
    assert result["components"][0]["score"] == result["components"][0]["max_score"]
    assert "reduced isolation" in proc.stdout    # the one-line notice


def test_without_seccomp_the_result_says_so(tmp_path):
    result, _ = _grade_with(tmp_path, "seccomp")
    assert "seccomp" not in result["isolation"] and "no_new_privs" in result["isolation"]
    assert result["components"][0]["score"] == result["components"][0]["max_score"]


def test_without_file_isolation_a_batch_refuses_unless_told_otherwise(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    _submission(folder)
    env = {**os.environ, "GRADER_SANDBOX_OFF": "namespaces,landlock",
           "PYTHONPATH": str(config.REPO_ROOT)}
    command = [sys.executable, "-m", "grader", "batch", folder, "--assignment", "hw1",
               "--out", tmp_path / "out", "--no-progress"]
    refused = subprocess.run(command, cwd=config.REPO_ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    message = " ".join(refused.stderr.split())
    assert "--no-sandbox" in message and "--security-opt seccomp=unconfined" in message
    assert not (tmp_path / "out" / "gradebook.sqlite").exists()
    allowed = subprocess.run([*command, "--no-sandbox"], cwd=config.REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "sandbox layers:" in allowed.stdout and "namespaces" not in allowed.stdout


# --- the work folder's quota without namespaces (F7) -------------------------

QUOTA_ATTACK = (config.REPO_ROOT / "tests" / "adversarial" / "hw1" / "disk_fill_hidden.py")
OVERSHOOT_MIB = 256   # one watch period at this disk's speed, with room to spare


def test_without_namespaces_the_work_folder_quota_counts_what_a_walk_misses(tmp_path):
    """Hard links, deleted files kept open or mapped, a closed folder: all counted."""
    result, _ = _grade_with(tmp_path, "namespaces", addition="\n\n" + QUOTA_ATTACK.read_text())
    assert not any(layer.startswith("namespaces") for layer in result["isolation"])
    assert any(layer.startswith("work folder quota") for layer in result["isolation"])
    softmax = result["components"][0]
    messages = [c["message"] for c in softmax["checks"]]
    quota = config.WORK_FOLDER_BYTES >> 20
    assert any(f"work folder quota of {quota} MiB exceeded" in m for m in messages), messages
    assert softmax["score"] == 0, softmax
    output = result["student_output"]
    written = [int(mib) for mib in re.findall(r"written (\d+) MiB", output)]
    assert written and max(written) <= quota + OVERSHOOT_MIB, output
    assert "stopped by the kernel" not in output   # the watch stopped it, not a full disk


TWO_BOXES = '''
import json, os, torch
from grader.sandbox import Sandbox
from grader.student import Student
CODE = """
import os
def me(x):
    with open("secret.txt", "w") as handle:
        handle.write("mine")
    return [os.getpid(), os.getuid(), os.path.join(os.getcwd(), "secret.txt")]
def reach(x, pid, path):
    done = []
    for what, step in (("signal", lambda: os.kill(pid, 0)),
                       ("environ", lambda: open(f"/proc/{pid}/environ").read()),
                       ("fd", lambda: os.listdir(f"/proc/{pid}/fd")),
                       ("file", lambda: open(path).read()),
                       ("folder", lambda: os.listdir(os.path.dirname(path)))):
        try:
            step()
            done.append(what)
        except OSError:
            pass
    return done
"""
boxes = [Sandbox([{"code": CODE, "filename": "s.py", "label": "s.py"}], {"f": []})
         for _ in range(2)]
students = [Student(box) for box in boxes]
for student in students:
    student.component = "f"
(pid_a, uid_a, path_a), (pid_b, uid_b, path_b) = (s.call("me", torch.ones(1)) for s in students)
print(json.dumps({"uids": [uid_a, uid_b], "layers": boxes[0].isolation,
                  "b_reached_a": students[1].call("reach", torch.ones(1), pid_a, path_a),
                  "a_reached_b": students[0].call("reach", torch.ones(1), pid_b, path_b)}))
for box in boxes:
    box.close()
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give each box a uid of its own")
def test_two_concurrent_boxes_cannot_reach_each_other_by_uid_alone():
    """No namespaces and no Landlock: only the boxes' own uids keep them apart."""
    env = {**os.environ, "GRADER_SANDBOX_OFF": "namespaces,landlock",
           spawner.ALLOW_UNISOLATED_ENV: "1", "PYTHONPATH": str(config.REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-c", TWO_BOXES], cwd=config.REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not any(layer.startswith(("namespaces", "landlock")) for layer in seen["layers"])
    uid_a, uid_b = seen["uids"]
    assert uid_a != uid_b and min(uid_a, uid_b) >= config.BOX_UID_BASE, seen
    assert seen["b_reached_a"] == [] and seen["a_reached_b"] == [], seen

GRADER_MODULES_AT_LOAD = '''
import sys
SEEN = sorted(name for name in sys.modules if name == "grader" or name.startswith("grader."))
import importlib
fresh = importlib.import_module("gra" + "der.scr" + "atch")   # an obfuscated import
fresh.watch = None    # patches a copy the worker does not use
def seen(x):
    return SEEN
'''


def test_student_code_finds_none_of_the_graders_modules_loaded():
    """Our modules leave sys.modules before student code runs: an import gets a fresh
    copy, so patching it (here, the watch itself) changes nothing the worker uses."""
    box = Sandbox([{"code": GRADER_MODULES_AT_LOAD, "filename": "s.py", "label": "s.py"}],
                  {"f": ["torch.nn.functional.softmax"]})
    student = Student(box)
    student.component = "f"
    try:
        assert list(student.call("seen", torch.zeros(1))) == []
        result = student.run("seen", torch.zeros(1))   # the watch still runs around calls
        assert list(result.output) == []
    finally:
        box.close()


def test_honest_code_leaves_no_note_or_tampering_for_the_instructor():
    """The fork server's warm-up runs under the watch with the whole grader imported;
    a worker must not inherit what the watch saw then ("student code imported the
    grader's modules" was on every result of every batch)."""
    box = Sandbox([{"code": "import torch\ndef f(x):\n    return x * 2\n", "filename": "s.py",
                    "label": "s.py"}], {"f": ["torch.nn.functional.softmax"]})
    student = Student(box)
    student.component = "f"
    try:
        assert list(student.call("f", torch.ones(2))) == [2, 2]
        assert box.watch_report == {"tampered": [], "notes": []}
    finally:
        box.close()


SPIN = '''
import threading, time, torch
def spin(x):
    """Four threads multiplying matrices outside the GIL for 1.5 s: CPU time over wall time."""
    stop = time.perf_counter() + 1.5
    def work():
        a = torch.ones(256, 256)
        while time.perf_counter() < stop:
            a @ a
    threads = [threading.Thread(target=work) for _ in range(4)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return torch.tensor([(time.process_time() - cpu) / (time.perf_counter() - wall)])
'''


def test_a_workers_threads_share_one_core_where_a_cpu_cgroup_is_writable():
    """Threads computing outside the GIL cannot take the cores the other workers need."""
    box = Sandbox([{"code": SPIN, "filename": "spin.py", "label": "spin.py"}], {"f": []})
    student = Student(box)
    student.component = "f"
    try:
        box.start()
        if not box._cgroups or not _has_cpu_controller():
            pytest.skip(f"no writable cgroups or no cpu controller here: {box.isolation}")
        assert "cpu cgroup" in box.isolation
        cpu_groups = [folder for folder in box._cgroups if "cpu" in os.path.realpath(folder)]
        quota_file = [os.path.join(cpu_groups[0], name) for name in ("cpu.cfs_quota_us", "cpu.max")
                      if os.path.exists(os.path.join(cpu_groups[0], name))][0]
        with open(quota_file) as handle:
            assert handle.read().split()[0] == str(int(config.WORKER_CPUS * 100_000))
        cores_used = float(student.call("spin", torch.ones(1))[0])
        assert cores_used <= config.WORKER_CPUS * 1.25, cores_used
    finally:
        box.close()


def _has_cpu_controller() -> bool:
    if os.path.isdir("/sys/fs/cgroup/cpu"):   # cgroup v1
        return True
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as handle:
            return "cpu" in handle.read().split()
    except OSError:
        return False


SLOW = '''
import time
def slow(x):
    time.sleep(0.4)
    return x
def double(x):
    return x * 2
'''


def test_public_checks_leave_the_hidden_ones_their_share_of_the_budget(monkeypatch):
    """Hidden checks run last: a component that uses up the time in its public checks
    must not also cost every component its hidden checks."""
    warm = Sandbox([{"code": "", "filename": "w.py", "label": "w.py"}], {"f": []})
    warm.start()      # the fork server's start-up is not the submission's time
    warm.close()
    box = Sandbox([{"code": SLOW, "filename": "slow.py", "label": "slow.py"}], {"f": []},
                  budget_s=6.0, hidden_share=0.5)
    student = Student(box)
    student.component = "f"
    try:
        box.start()
        box.begin_check(30)
        with pytest.raises(StudentTimeout):
            for _ in range(40):   # 16 s of calls: the last is cut where the public 3 s end
                student.call("slow", torch.ones(1))
        box.end_check()
        box.begin_check(30)       # another public check: nothing left for it
        with pytest.raises(StudentTimeout, match="time budget of its public checks"):
            student.call("double", torch.ones(1))
        box.end_check()
        box.begin_check(30, hidden=True)
        assert torch.equal(student.call("double", torch.ones(1)), torch.full((1,), 2.0))
        with pytest.raises(StudentTimeout):
            for _ in range(40):
                student.call("slow", torch.ones(1))
        box.end_check()
        box.begin_check(30, hidden=True)
        with pytest.raises(StudentTimeout, match="whole time budget"):
            student.call("double", torch.ones(1))
        box.end_check()
    finally:
        box.close()
