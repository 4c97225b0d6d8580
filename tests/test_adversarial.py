"""Submissions that attack the grader, graded by the real batch command.

Each file in ``tests/adversarial/hw1/`` is appended to the reference solution
(so everything it does not attack is correct) and declares what it deserves::

    # component: softmax          the component it attacks
    # expect-score: 0             that component's score
    # expect-status: banned       (optional) that component's status
    # expect-check-status: timeout (optional) one of its checks ends this way
    # expect-fail: matches_reference_float64   (optional) checks that must fail
    # expect: full                (instead) the component keeps full marks
    # others: zero                (optional) every other component too (default: full)

All files are graded together in one batch, which must complete.
"""
import time
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO, cached_batch, session_dir
from test_mutants import _depends_on, header

ATTACKS = sorted(Path(__file__).parent.glob("adversarial/hw1/*.py"))
# outside the temp folders, which are private to each worker
HEARTBEAT = REPO / ".adversary" / "daemon.beat"
ESCAPE_MARKER = Path("/tmp/grader-adversary-escape.marker")


def _build(folder: Path):
    HEARTBEAT.parent.mkdir(exist_ok=True)
    HEARTBEAT.unlink(missing_ok=True)
    ESCAPE_MARKER.unlink(missing_ok=True)
    reference = (REFERENCE / "hw1.py").read_text()
    for attack in ATTACKS:
        text = attack.read_text().replace("@HEARTBEAT@", str(HEARTBEAT))
        (folder / attack.name).write_text(reference + "\n\n" + text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return cached_batch(session_dir(tmp_path_factory), "adversarial-hw1", "hw1", _build)


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
        assert target["score"] == float(spec.get("expect-score", target["score"])), target
        assert target["score"] < target["max_score"]
    if "expect-status" in spec:
        assert target["status"] == spec["expect-status"], target
    if "expect-check-status" in spec:
        assert spec["expect-check-status"] in {c["status"] for c in target["checks"]}, target
    for name in filter(None, (n.strip() for n in spec.get("expect-fail", "").split(","))):
        assert not next(c for c in target["checks"] if c["name"] == name)["passed"]
    for name, component in components.items():
        if name == spec["component"] or _depends_on(name, spec["component"]):
            continue
        wanted = 0 if spec.get("others") == "zero" else component["max_score"]
        assert component["score"] == wanted, (name, component["message"])


def test_nothing_the_student_prints_becomes_a_result(graded):
    row = graded["fake_results"]
    assert row["result"]["score"] < 47
    assert '"score": 47' in row["result"]["student_output"]  # shown, as student output only


def test_output_is_capped(graded):
    assert len(graded["output_flood"]["result"]["student_output"]) < 10_000


def test_no_process_outlives_the_batch(graded):
    assert HEARTBEAT.exists(), "the daemon attack did not run"
    time.sleep(0.5)
    last = HEARTBEAT.stat().st_mtime
    time.sleep(1.0)
    assert HEARTBEAT.stat().st_mtime == last, "the student's daemon is still running"
    group = HEARTBEAT.read_text().split("\n")[0]
    if group.startswith("/grader/"):  # other batches run beside this one: look at its own group
        assert not Path("/sys/fs/cgroup/pids" + group).exists(), "its pids cgroup was left behind"


def test_no_fork_server_is_reachable_from_student_code(graded):
    """A fork server forks whatever a client sends: reaching one escapes the jail."""
    assert "reached 0 of" in graded["forkserver_escape"]["result"]["student_output"]
    time.sleep(0.5)
    assert not ESCAPE_MARKER.exists(), "student code got a process outside the jail"


def test_tampering_is_named_for_the_instructor(graded):
    result = graded["patch_grader"]["result"]
    assert "torch.nn.functional.softmax" in result["components"][0]["message"]
    assert any("imports grader.scratch" in flag for flag in result["flags"])
    assert any("imported the grader's modules" in flag for flag in result["flags"])
    frame_walk = graded["frame_walk"]["result"]["components"][0]["message"]
    assert "tampered with the grader's from-scratch watch" in frame_walk
