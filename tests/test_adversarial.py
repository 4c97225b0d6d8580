"""Submissions that attack the grader, graded by the real batch command.

Each file in ``tests/adversarial/hw1/`` is appended to the reference solution
(so everything it does not attack is correct) and declares what it deserves::

    # component: softmax          the component it attacks
    # expect-score: 0             that component's score (required unless expect: full)
    # expect-status: banned       (optional) that component's status
    # expect-check-status: timeout (optional) one of its checks ends this way
    # expect-fail: matches_reference_float64   (optional) checks that must fail
    # expect: full                (instead) the component keeps full marks
    # others: zero                (optional) every other component too (default: full;
                                  any: not checked)
    # pin: no (why)               (rare) its exact scores depend on the machine: not pinned

All files are graded together in one batch, which must complete, with honest
submissions (``honest_*``) beside them that must keep their exact scores.
Every attack's exact scores (each component's, and its target's failed
checks) are also pinned in ``adversarial/expected_scores.json``
(``tests/pinned_scores.py``).
An attack prints ``ESCAPED ...`` for every step that worked: none may.
The batch runs with a fake instructor token in its environment, which must
appear in no output.
"""
import json
import os
import re
import socket
import sysconfig
import threading
import time
from pathlib import Path

import hypothesis
import pytest

from conftest import REFERENCE, REPO, cached_batch, session_dir
from grader import config
from pinned_scores import TABLES, check_pinned
from test_mutants import _depends_on, header

ATTACKS = sorted(Path(__file__).parent.glob("adversarial/hw1/*.py"))
ESCAPE_MARKER = Path("/tmp/grader-adversary-escape.marker")
# Listeners on the host that attacks try to reach; a connection is written here.
LISTENER_LOG = Path("/tmp/grader-adversary-listeners.log")
HOST_SOCKET = Path(f"/tmp/grader-adversary-{os.getpid()}.sock")
TOKEN_NAME, TOKEN = "LMS_API_TOKEN", "tok-3b1f9a7c-never-for-students"
PLANTED = "GRADER_ATTACK_PLANTED"


def _build(folder: Path):
    ESCAPE_MARKER.unlink(missing_ok=True)
    LISTENER_LOG.unlink(missing_ok=True)
    port = _listen(socket.create_server(("127.0.0.1", 0)))
    HOST_SOCKET.unlink(missing_ok=True)
    _listen(socket.create_server(str(HOST_SOCKET), family=socket.AF_UNIX))
    reference = (REFERENCE / "hw1.py").read_text()
    for attack in ATTACKS:
        text = (attack.read_text().replace("@REPO@", str(REPO)).replace("@PORT@", str(port))
                .replace("@SOCKET@", str(HOST_SOCKET)))
        (folder / attack.name).write_text(reference + "\n\n" + text)


def _listen(server: socket.socket):
    """Accept connections for the rest of the session, logging each (the evidence)."""
    def serve():
        while True:
            connection, _ = server.accept()
            with LISTENER_LOG.open("a") as log:
                log.write(f"connection to {server.getsockname()}\n")
            connection.close()
    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1] if server.family == socket.AF_INET else None


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    return session_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def graded(batch_dir):
    os.environ[TOKEN_NAME] = TOKEN   # an instructor's secret, inherited by `grader batch`
    try:
        return cached_batch(batch_dir, "adversarial-hw1", "hw1", _build)
    finally:
        del os.environ[TOKEN_NAME]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_attack_gets_only_what_its_honest_part_deserves(attack, graded):
    spec = header(attack)
    row = graded[attack.stem]
    assert row["status"] == "graded", row["status_message"]
    components = {c["name"]: c for c in row["result"]["components"]}
    target = components[spec["component"]]
    if spec.get("expect") == "full":
        assert target["score"] == target["max_score"], target
    else:
        assert "expect-score" in spec, f"{attack.name}: say what it deserves (expect-score)"
        assert target["score"] == float(spec["expect-score"]), target
        assert target["score"] < target["max_score"]
    if "expect-status" in spec:
        assert target["status"] == spec["expect-status"], target
    if "expect-check-status" in spec:
        assert spec["expect-check-status"] in {c["status"] for c in target["checks"]}, target
    for name in filter(None, (n.strip() for n in spec.get("expect-fail", "").split(","))):
        assert not next(c for c in target["checks"] if c["name"] == name)["passed"]
    for name, component in components.items():
        if name == spec["component"] or _depends_on(name, spec["component"]) \
                or spec.get("others") == "any":
            continue
        wanted = 0 if spec.get("others") == "zero" else component["max_score"]
        assert component["score"] == wanted, (name, component["message"])


PINNED = [a for a in ATTACKS if not header(a).get("pin", "").startswith("no")]


@pytest.mark.parametrize("attack", PINNED, ids=lambda p: p.stem)
def test_attack_scores_are_the_pinned_ones(attack, graded):
    check_pinned(TABLES["adversarial-hw1"], f"hw1/{attack.stem}", graded[attack.stem],
                 header(attack)["component"])


def test_every_pinned_attack_exists():
    pinned = json.loads(TABLES["adversarial-hw1"].read_text())
    assert set(pinned) == {f"hw1/{a.stem}" for a in PINNED}


def test_every_attack_declares_what_it_deserves():
    """A header without a score would compare the score with itself."""
    vague = [a.name for a in ATTACKS if header(a).get("expect") != "full"
             and "expect-score" not in header(a)]
    assert not vague, f"attacks without expect-score or expect: full: {vague}"


def test_nothing_the_student_prints_becomes_a_result(graded):
    row = graded["fake_results"]
    assert row["result"]["score"] < 47
    assert '"score": 47' in row["result"]["student_output"]  # shown, as student output only


def test_output_is_capped(graded):
    assert len(graded["output_flood"]["result"]["student_output"]) < 10_000


def test_no_process_outlives_the_batch(graded):
    output = graded["daemon"]["result"]["student_output"]
    assert "daemon started" in output or "daemon refused" in output, output   # it did run
    deadline = time.monotonic() + 5   # the batch is over: its box is being torn down
    while (survivors := _daemons()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not survivors, f"the student's daemon is still running: {survivors}"


def _daemons() -> list[Path]:
    return [p for p in Path("/proc").glob("[0-9]*") if _comm(p) == "grader-daemon"]


def _comm(process: Path) -> str:
    try:
        return (process / "comm").read_text().strip()
    except OSError:
        return ""


def test_no_fork_server_is_reachable_from_student_code(graded):
    """A fork server forks whatever a client sends: reaching one escapes the jail.

    The attack always has the test's own host socket to try, so "reached 0 of 0"
    (nothing tried) cannot pass."""
    output = graded["forkserver_escape"]["result"]["student_output"]
    tried = re.search(r"reached (\d+) of (\d+) fork server", output)
    assert tried, output
    assert int(tried[1]) == 0 and int(tried[2]) >= 1, output
    assert not ESCAPE_MARKER.exists(), "student code got a process outside the jail"
    assert "connection" not in _listener_log(), _listener_log()


def _listener_log() -> str:
    return LISTENER_LOG.read_text() if LISTENER_LOG.exists() else ""


def test_the_network_is_out_of_reach(graded):
    """Offline or not, the attack had the host's loopback listener to reach."""
    output = graded["network"]["result"]["student_output"]
    assert re.search(r"network: 127\.0\.0\.1:\d+ unreachable", output), output
    assert "ESCAPED" not in output and "connection" not in _listener_log(), output


def test_the_reference_is_out_of_reach(graded):
    """The attack looked in the checkout itself, wherever the grader was started."""
    output = graded["read_reference"]["result"]["student_output"]
    assert f"read_reference: {REPO}/reference/hw1.py: " in output, output
    assert "ESCAPED" not in output, output
    distinctive = [line.strip() for line in (REFERENCE / "hw1.py").read_text().splitlines()
                   if len(line.strip()) > 30 and not line.strip().startswith("#")]
    assert distinctive and not any(line in output for line in distinctive)


def test_tampering_is_named_for_the_instructor(graded):
    result = graded["patch_grader"]["result"]
    assert "torch.nn.functional.softmax" in result["components"][0]["message"]
    assert any("imports grader.scratch" in flag for flag in result["flags"])
    assert any("imported the grader's modules" in flag for flag in result["flags"])
    frame_walk = graded["frame_walk"]["result"]["components"][0]["message"]
    assert "tampered with the grader's from-scratch watch" in frame_walk


def test_no_attack_escaped(graded):
    escaped = {name: [line for line in row["result"]["student_output"].splitlines()
                      if line.startswith("ESCAPED")]
               for name, row in graded.items()}
    assert not {name: lines for name, lines in escaped.items() if lines}


def test_nothing_was_planted_on_the_host(graded):
    """Site-packages, the grader, hypothesis, /etc and /root are read-only to student code."""
    assert "ESCAPED" not in graded["write_host"]["result"]["student_output"]
    site = Path(sysconfig.get_paths()["purelib"])
    assert not list(site.glob("zz_grader_attack.pth")) and not list(
        (site / "torch").glob("zz_grader_attack.pth"))
    for folder in (REPO / "grader", Path(hypothesis.__file__).parent):
        planted = [p for p in folder.rglob("*.py") if PLANTED in p.read_text(errors="replace")]
        assert not planted, planted
    for path in ("/etc/grader_attack", "/root/grader_attack", REPO / "grader_attack"):
        assert not _exists(Path(path)), path


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except PermissionError:   # an ordinary user's run: closed to us, so to the worker too
        return False


def test_the_instructors_token_never_reaches_student_code(graded, batch_dir):
    output = graded["env_token"]["result"]["student_output"]
    assert "environ:" in output and "memory:" in output, output   # the attack ran
    assert TOKEN not in json.dumps(graded)
    for path in (batch_dir / "adversarial-hw1-out").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_writable_folders_are_capped(graded):
    output = graded["disk_fill"]["result"]["student_output"]
    filled = {m[0]: int(m[1]) for m in re.findall(r"filled (\S+): (\d+) MiB", output)}
    assert len(filled) == 4, output
    assert all(mib <= config.WORK_FOLDER_BYTES >> 20 for mib in filled.values()), filled


def test_a_slow_submission_is_bounded_by_its_budget(graded):
    row = graded["slow_calls"]
    assert row["seconds"] <= config.SUBMISSION_BUDGET_S + 15, row["seconds"]
    statuses = {c["status"] for comp in row["result"]["components"] for c in comp["checks"]}
    assert "timeout" in statuses


def test_load_problems_and_feedback_are_capped(graded, batch_dir):
    problems = graded["raise_flood"]["result"]["load_problems"]
    assert len(problems) <= config.MAX_LOAD_PROBLEMS
    assert problems[-1]["type"] == "More" and "more problems" in problems[-1]["message"]
    feedback = batch_dir / "adversarial-hw1-out" / "feedback" / "raise_flood.md"
    assert feedback.stat().st_size < 50_000


def test_every_result_names_its_sandbox_layers(graded):
    for name, row in graded.items():
        layers = row["result"]["isolation"]
        assert "no_new_privs" in layers and any(l.startswith("uid ") for l in layers), (name, layers)
