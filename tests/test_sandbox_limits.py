"""Kernel limits that must hold on machines where some layer is missing.

The adversarial batch runs with every layer this machine allows; these grade
one attack with a layer switched off (``GRADER_SANDBOX_OFF``), as on a machine
that lacks it, and check that another kernel layer still bounds it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader import config
from test_sandbox import _grade_with

ATTACKS = Path(__file__).parent / "adversarial" / "hw1"


@pytest.mark.parametrize("off", ["cgroups", "cgroups,namespaces"])
def test_without_a_pids_cgroup_threads_are_still_bounded(tmp_path, off):
    """Docker without a writable cgroup tree: RLIMIT_NPROC on the box's own uid."""
    result, _ = _grade_with(tmp_path, off, addition="\n\n" + (ATTACKS / "thread_bomb.py").read_text())
    output = result["student_output"]
    started = re.search(r"thread_bomb: started (\d+) threads", output)
    assert started, output
    assert int(started[1]) <= config.MAX_PROCESSES, output
    assert any("threads" in layer for layer in result["isolation"] if layer.startswith("rlimits"))


def _box_semaphore_sets() -> int:
    """SysV semaphore sets on the host owned by a box's uid."""
    try:
        lines = open("/proc/sysvipc/sem").read().splitlines()[1:]
    except OSError:
        return 0
    return sum(1 for line in lines if int(line.split()[4]) >= config.BOX_UID_BASE)


def test_without_namespaces_no_sysv_object_outlives_the_worker(tmp_path):
    """Reduced isolation shares the host's IPC namespace: seccomp denies SysV IPC."""
    before = _box_semaphore_sets()
    result, _ = _grade_with(tmp_path, "namespaces", only="relu",
                            addition="\n\n" + (ATTACKS / "ipc_leftovers.py").read_text())
    output = result["student_output"]
    made = re.search(r"made (\d+) semaphore sets", output)
    assert made, output
    assert int(made[1]) == 0 and "reached 0 host segments" in output, output
    assert _box_semaphore_sets() == before


SYSTEM_SRC = Path("/usr/local/src")


@pytest.mark.skipif(not os.access(SYSTEM_SRC, os.W_OK), reason="needs a writable /usr/local/src")
@pytest.mark.parametrize("off", ["", "namespaces"])
def test_a_checkout_inside_a_system_folder_is_hidden_as_a_whole(tmp_path, off):
    """Docker's usual /usr/src/app: the box shows /usr, so the checkout must be covered,
    and what the worker needs from it (the d2l shim) bound again on top; without
    namespaces, Landlock grants /usr entry by entry around it."""
    checkout = Path(tempfile.mkdtemp(prefix="grader-checkout-", dir=SYSTEM_SRC))
    checkout.chmod(0o755)   # as a checkout is: the box's uid reaches the d2l shim in it
    try:
        for name in ("grader", "reference"):
            shutil.copytree(config.REPO_ROOT / name, checkout / name,
                            ignore=shutil.ignore_patterns("__pycache__", "build"))
        (checkout / "old-batch").mkdir()
        (checkout / "old-batch" / "alice_hw1.py").write_text("a classmate's solution\n")
        attack = (ATTACKS / "read_checkout.py").read_text().replace("@REPO@", str(checkout))
        attack += "\nfrom d2l import torch as d2l\nprint('d2l shim:', d2l.__name__)\n"
        submission = tmp_path / "hw1.py"
        submission.write_text((config.REPO_ROOT / "reference" / "hw1.py").read_text()
                              + "\n\n" + attack)
        out = tmp_path / "result.json"
        env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
               "GRADER_SANDBOX_OFF": off}
        proc = subprocess.run([sys.executable, "-m", "grader", "grade", submission,
                               "--assignment", "hw1", "--only", "relu", "--json", out],
                              cwd=checkout, env=env, capture_output=True, text=True, timeout=300)
        assert out.exists(), proc.stdout + proc.stderr
        result = json.loads(out.read_text())
        output = result["student_output"]
        assert "read_checkout:" in output and "ESCAPED" not in output, output
        assert "d2l shim: d2l.torch" in output, (output, result["load_problems"])
        assert result["components"][0]["score"] == result["components"][0]["max_score"]
    finally:
        shutil.rmtree(checkout, ignore_errors=True)


def test_removing_a_work_folder_never_follows_a_students_link():
    """The scorer reopens closed folders to remove them; a link inside points at a host file
    (reduced isolation: the work folder is on the host). Run as an ordinary user's scorer:
    root removes the link at once."""
    from grader import quota
    base = Path(tempfile.mkdtemp(prefix="grader-quota-link-"))
    try:
        base.chmod(0o755)
        host_file, work = base / "host-file", base / "work"
        host_file.write_text("the grader user's")
        (work / "closed").mkdir(parents=True)
        (work / "closed" / "link").symlink_to(host_file)
        for path in (host_file, work, work / "closed"):
            os.chown(path, *_ORDINARY) if os.geteuid() == 0 else None
        host_file.chmod(0o644)
        (work / "closed").chmod(0o500)
        _as_ordinary_user(lambda: quota.remove(str(work)))
        assert (host_file.stat().st_mode & 0o777) == 0o644
    finally:
        shutil.rmtree(base, ignore_errors=True)


_ORDINARY = (65534, 65534)


def _as_ordinary_user(step):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setresgid(*_ORDINARY, _ORDINARY[1])
                os.setresuid(*_ORDINARY, _ORDINARY[0])
            step()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_reopening_a_closed_folder_never_follows_a_link_swapped_in(tmp_path):
    """The worker lives while the scorer measures: the folder it closed may be a link by
    the time the scorer reopens it."""
    from grader import quota
    target = tmp_path / "host-folder"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    (tmp_path / "swapped").symlink_to(target)
    with pytest.raises(OSError):
        quota.reopen_folder(str(tmp_path / "swapped"))
    assert (target.stat().st_mode & 0o777) == 0o755
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0)
    quota.reopen_folder(str(closed))
    assert (closed.stat().st_mode & 0o777) == 0o700


def test_huge_replies_do_not_grow_the_scorer(tmp_path):
    """Peak memory of the grading process tree (scorer, fork server, workers) for a
    submission answering every call with 240 MiB: 6.4 GB before the reply cap."""
    submission = tmp_path / "hw1.py"
    submission.write_text((config.REPO_ROOT / "reference" / "hw1.py").read_text() + "\n\n"
                          + (ATTACKS / "huge_replies.py").read_text())
    out = tmp_path / "result.json"
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", submission, "--assignment",
                             "hw1", "--only", "softmax", "--json", out], cwd=config.REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0   # reaped by wait4
    softmax = json.loads(out.read_text())["components"][0]
    assert softmax["score"] == 0, softmax
    assert usage.ru_maxrss < 1_500_000, f"{usage.ru_maxrss} KiB"   # a worker holding 240 MiB
