"""grader.replay on its own: what is recorded, what is replayed, and when hypothesis runs again.

tests/test_replay.py proves the grades are unchanged end to end (slow); these
are the fast unit tests ``make mutate`` judges the module by.
"""
import json
import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from grader import replay


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(replay, "_cases", {})
    monkeypatch.setattr(replay, "ENABLED", True)


def make_check(seen: list, fail_when=lambda x, scale: False):
    @settings(max_examples=5, database=None, derandomize=True, deadline=None)
    @given(x=st.integers(0, 100))
    def test_check(x, scale):
        seen.append(x)
        assert not fail_when(x, scale), x
    return test_check


def test_a_passing_check_is_recorded_then_replayed_without_hypothesis():
    seen = []
    check = make_check(seen)
    replay.run_check("c", check, {"scale": 2})
    generated = list(seen)
    assert replay._cases["c"] == [{"x": x} for x in generated]   # fixtures are not recorded
    seen.clear()
    replay.run_check("c", check, {"scale": 2})
    assert seen == generated   # the same cases, in the same order, nothing more


def test_a_failing_check_is_not_recorded_and_fails():
    seen = []
    with pytest.raises(AssertionError):
        replay.run_check("c", make_check(seen, lambda x, scale: True), {"scale": 1})
    assert "c" not in replay._cases


def test_a_replayed_case_that_fails_hands_over_to_hypothesis():
    replay.run_check("c", make_check([]), {"scale": 1})
    seen = []
    with pytest.raises(AssertionError):
        replay.run_check("c", make_check(seen, lambda x, scale: scale == 0), {"scale": 0})
    assert len(seen) > 1   # the first replayed case failed, then hypothesis ran


def test_nothing_is_recorded_or_replayed_when_switched_off(monkeypatch):
    monkeypatch.setattr(replay, "ENABLED", False)
    seen = []
    replay.run_check("c", make_check(seen), {"scale": 1})
    assert "c" not in replay._cases and seen


def test_the_check_body_is_restored_after_recording():
    check = make_check([])
    body = check.hypothesis.inner_test
    replay.run_check("c", check, {"scale": 1})
    assert check.hypothesis.inner_test is body


def test_cases_that_are_not_plain_data_are_never_recorded():
    class Sub(torch.Tensor):
        pass

    @settings(max_examples=3, database=None, derandomize=True, deadline=None)
    @given(x=st.just(torch.ones(2).as_subclass(Sub)))
    def test_check(x):
        pass
    replay.run_check("c", test_check, {})
    assert "c" not in replay._cases


def test_copies_are_deep_and_keep_types():
    t = torch.ones(2, requires_grad=True)
    value = {"a": [t, (1, 2.5, "s", None, True)], "d": torch.float32, "s": torch.Size([2])}
    copied = replay._copy(value)
    assert copied["a"][0] is not t and torch.equal(copied["a"][0], t.detach())
    assert copied["a"][0].requires_grad and copied["a"][0].grad_fn is None
    assert copied["a"][1] == (1, 2.5, "s", None, True) and type(copied["a"][1]) is tuple
    assert copied["d"] is torch.float32 and type(copied["s"]) is torch.Size
    assert replay._copy(torch.zeros(1)).requires_grad is False
    for bad in (object(), {1, 2}, torch.ones(1).as_subclass(type("T", (torch.Tensor,), {}))):
        with pytest.raises(replay._NotPlainData):
            replay._copy(bad)


def _failing_above(limit: int, seen: list):
    @settings(max_examples=50, database=None, derandomize=True, deadline=None)
    @given(x=st.integers(0, 10_000))
    def test_check(x):
        seen.append(x)
        if x >= limit:
            raise AssertionError(x)
    return test_check


def test_a_failure_is_shrunk_unless_told_not_to():
    """Hidden checks run with shrink=False: the failure is reported as found."""
    shrunk, found = [], []
    with pytest.raises(AssertionError) as with_shrinking:
        replay.run_check("c", _failing_above(10, shrunk), {})
    with pytest.raises(AssertionError) as without:
        replay.run_check("d", _failing_above(10, found), {}, shrink=False)
    assert with_shrinking.value.args[0] == 10          # the smallest failing input
    assert without.value.args[0] > 10                  # the first one hypothesis met
    assert len(found) < len(shrunk)
    check = _failing_above(10, [])
    phases = check._hypothesis_internal_use_settings.phases
    with pytest.raises(AssertionError):
        replay.run_check("e", check, {}, shrink=False)
    assert check._hypothesis_internal_use_settings.phases == phases   # put back


_SHRINK_DRIVER = """
import json
from pathlib import Path
from grader import replay
from grader.grading import grade

asked = {}
real = replay.run_check
def spy(check_id, test, fixtures, shrink=True):
    asked[check_id] = shrink
    return real(check_id, test, fixtures, shrink)
replay.run_check = spy
grade(Path("reference/hw1.py"), "hw1")
print(json.dumps(asked))
"""


def test_the_plugin_shrinks_visible_checks_and_not_hidden_ones():
    proc = subprocess.run([sys.executable, "-c", _SHRINK_DRIVER], cwd=REPO, capture_output=True,
                          text=True, timeout=600, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    asked = json.loads(proc.stdout.splitlines()[-1])
    hidden = {k: v for k, v in asked.items() if "/hidden/" in k}
    visible = {k: v for k, v in asked.items() if "/hidden/" not in k}
    assert hidden and visible
    assert not any(hidden.values()), hidden
    assert all(visible.values()), visible


class Counting:
    """A hypothesis test that counts how often hypothesis itself is started."""

    def __init__(self, test):
        self.test, self.hypothesis, self.runs = test, test.hypothesis, 0

    def __call__(self, **fixtures):
        self.runs += 1
        return self.test(**fixtures)


def test_a_replay_calls_the_body_with_the_fixtures_and_never_starts_hypothesis():
    seen = []
    check = Counting(make_check(seen, fail_when=lambda x, scale: scale != 3))
    replay.run_check("c", check, {"scale": 3})
    assert check.runs == 1
    for _ in range(2):
        replay.run_check("c", check, {"scale": 3})
    assert check.runs == 1 and seen == 3 * seen[:len(seen) // 3]


def test_each_check_replays_only_its_own_cases():
    replay.run_check("small", make_check([]), {"scale": 1})
    other = Counting(make_check([]))
    replay.run_check("other", other, {"scale": 1})
    assert other.runs == 1 and set(replay._cases) == {"small", "other"}


def test_when_switched_off_hypothesis_runs_every_time(monkeypatch):
    check = Counting(make_check([]))
    replay.run_check("c", check, {"scale": 1})
    monkeypatch.setattr(replay, "ENABLED", False)
    replay.run_check("c", check, {"scale": 1})
    assert check.runs == 2
