"""An ordinary user's boxes: subordinate ids where the machine has them.

A grader run by an ordinary user maps the user's subordinate ids
(``/etc/subuid``, through ``newuidmap``) into its fork server's namespace and
makes each worker one of them, so a worker is never the grader's own uid.
The end-to-end test needs such a user and a Python it can run with the
project's packages (``GRADER_TEST_USER``, ``GRADER_TEST_USER_PYTHON``).  CI runs as
root and makes them with ``.ci/plain_user.sh`` where the machine allows (the
``uidmap`` package, ``useradd``); elsewhere these tests skip, saying why, and
the parsing is tested alone.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO
from grader.box import identity


def test_subordinate_ranges_are_read_by_name_or_uid(tmp_path):
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("other:200000:65536\nbroken line\nnobody:1:0\n"
                      f"{os.getuid()}:300000:1000\nlater:400000:5\n")
    subgid.write_text(f"{identity.pwd.getpwuid(os.getuid()).pw_name}:500000:70000\n")
    assert identity.subordinate_ranges(os.getuid(), (str(subuid), str(subgid))) == \
        ((300000, 1000), (500000, 70000))


@pytest.mark.parametrize("subgid_text", ["", "someone_else:1:65536\n", "{uid}:1:0\n", None])
def test_without_both_ranges_there_are_none(tmp_path, subgid_text):
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text(f"{os.getuid()}:300000:1000\n")
    if subgid_text is not None:
        subgid.write_text(subgid_text.format(uid=os.getuid()))
    assert identity.subordinate_ranges(os.getuid(), (str(subuid), str(subgid))) is None


def test_a_namespace_the_kernel_refuses_is_a_failure_with_subordinate_ids_too(monkeypatch):
    """AppArmor or a container may refuse the namespace: the server must not go on as if
    its boxes had one (the helpers' child is told nothing and exits)."""
    def refuse(flags):
        raise PermissionError("unshare refused")
    monkeypatch.setattr(identity, "subordinate_ranges", lambda uid: ((100000, 65536),) * 2)
    monkeypatch.setattr(identity.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(identity.kernel, "unshare", refuse)
    assert identity.server_namespace() is None


USER, PYTHON = os.environ.get("GRADER_TEST_USER"), os.environ.get("GRADER_TEST_USER_PYTHON")
needs_user = pytest.mark.skipif(
    os.geteuid() != 0 or not (USER and PYTHON) or not shutil.which("newuidmap"),
    reason="needs root, newuidmap, GRADER_TEST_USER (with /etc/subuid entries) "
           "and GRADER_TEST_USER_PYTHON (a Python that user can run)")
PROBE = '''
import os, time
print("uid_map", open("/proc/self/uid_map").read().split())
time.sleep(3)
'''


def _readable_by_user(name: str, extra: str) -> Path:
    """The reference plus ``extra``, in a folder the test user can use (pytest's
    tmp_path is root's)."""
    folder = Path(tempfile.mkdtemp(prefix="grader-user-box-"))
    os.chmod(folder, 0o777)
    submission = folder / name
    submission.write_text((REFERENCE / "hw1.py").read_text() + extra)
    os.chmod(submission, 0o644)
    return submission


@needs_user
def test_an_ordinary_users_worker_is_one_of_its_subordinate_ids():
    (first, count), _ = identity.subordinate_ranges(identity.pwd.getpwnam(USER).pw_uid)
    submission = _readable_by_user("probe.py", PROBE)
    folder = submission.parent
    result = folder / "result.json"
    process = subprocess.Popen(["runuser", "-u", USER, "--", PYTHON, "-m", "grader", "grade",
                                str(submission), "--assignment", "hw1", "--json", str(result),
                                "--quiet"], cwd=REPO, stdout=subprocess.DEVNULL)
    seen = set()
    while process.poll() is None:   # the worker's uid on the host, seen from outside
        listing = subprocess.run(["ps", "-eo", "uid=,ppid="], capture_output=True, text=True)
        seen |= {int(line.split()[0]) for line in listing.stdout.splitlines()}
        time.sleep(0.2)
    graded = json.loads(result.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    assert graded["score"] == graded["max_score"], [
        (check["name"], check["message"]) for component in graded["components"]
        for check in component["checks"] if check["status"] not in ("passed", "skipped")]
    assert any("a subordinate uid of the grader's user" in layer for layer in graded["isolation"])
    assert any(first <= uid < first + count for uid in seen), sorted(seen)


LOOPING = '''
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def softmax(X):
    while True:
        pass
'''


@needs_user
def test_an_ordinary_users_looping_workers_end_with_the_grader():
    """The user cannot signal its subordinate uids: each worker dies with its parent.
    Before, every hung worker of this submission kept looping after the grader exited."""
    (first, count), _ = identity.subordinate_ranges(identity.pwd.getpwnam(USER).pw_uid)
    submission = _readable_by_user("loop.py", LOOPING)
    folder = submission.parent
    subprocess.run(["runuser", "-u", USER, "--", PYTHON, "-m", "grader", "grade",
                    str(submission), "--assignment", "hw1", "--quiet"], cwd=REPO,
                   stdout=subprocess.DEVNULL, timeout=300)
    shutil.rmtree(folder, ignore_errors=True)
    deadline, left = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        listing = subprocess.run(["ps", "-eo", "uid=,stat="], capture_output=True, text=True)
        left = [line for line in listing.stdout.splitlines()
                if first <= int(line.split()[0]) < first + count and "Z" not in line.split()[1]]
        if not left:
            break
        time.sleep(0.2)
    assert not left, left
