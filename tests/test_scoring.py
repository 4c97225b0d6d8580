"""Scoring rules on hand-made outcomes: what earns points, what is withheld, what is
not counted, and what never reaches a student."""
import pytest

from grader import rubric, scoring
from grader.errors import ConfigError
from grader.outcomes import Outcome, outcome_from

RUBRIC = """
[components.f]
title = "f(x)"
[components.f.checks.matches_reference]
kind = "reference"
points = 2
description = "equals the reference"
[components.f.checks.sums_to_one]
kind = "property"
points = 3
description = "sums to one"
requires = ["matches_reference"]
[components.f.checks.device]
kind = "device"
points = 1
description = "runs anywhere"
requires = ["sums_to_one"]
[components.f.checks.from_scratch]
kind = "scratch"
points = 0
gate = true
description = "no built-in"
"""


@pytest.fixture
def rubric_for(tmp_path, monkeypatch):
    def load(text):
        monkeypatch.setattr(rubric.config, "CHECKS_DIR", tmp_path)
        (tmp_path / "hwx").mkdir(exist_ok=True)
        (tmp_path / "hwx" / "rubric.toml").write_text(text)
        return rubric.load_rubric("hwx")
    return load


def outcomes(**statuses):
    return {("f", name): Outcome(status, f"{name} {status}") for name, status in statuses.items()}


def grade(loaded, banned=(), **statuses):
    return scoring.score(loaded, outcomes(**statuses), {"f": set(banned)}).components[0]


ALL_PASS = dict(matches_reference="passed", sums_to_one="passed", device="passed",
                from_scratch="passed")


def test_a_property_earns_nothing_without_its_evidence(rubric_for):
    component = grade(rubric_for(RUBRIC), **{**ALL_PASS, "matches_reference": "failed"})
    checks = {c.name: c for c in component.checks}
    assert component.score == 0 and component.max_score == 6
    assert checks["sums_to_one"].status == "withheld" and checks["sums_to_one"].points == 0
    assert checks["sums_to_one"].message.startswith("0 of 3: this property holds, but the "
                                                    "output does not match the reference")
    assert checks["device"].status == "withheld"      # through the chain
    assert checks["device"].withheld_by == ["sums_to_one"]


def test_everything_passing_keeps_full_marks(rubric_for):
    component = grade(rubric_for(RUBRIC), **ALL_PASS)
    assert component.score == component.max_score == 6 and component.status == "full"


def test_a_gate_that_raises_costs_only_the_gate(rubric_for):
    component = grade(rubric_for(RUBRIC), **{**ALL_PASS, "from_scratch": "failed"})
    assert component.score == 6 and component.status == "full"


def test_an_observed_banned_call_zeroes_the_component(rubric_for):
    component = grade(rubric_for(RUBRIC), banned={"torch.softmax"}, **ALL_PASS)
    assert component.score == 0 and component.status == "banned"
    assert "torch.softmax" in component.message


def test_a_grader_failure_costs_nothing_and_is_reported_without_paths(rubric_for):
    loaded = rubric_for(RUBRIC)
    failure = outcome_from(KeyError("/srv/grader/grader/checks/hwx/test_f.py line 3: boom"))
    table = outcomes(**{**ALL_PASS, "matches_reference": "passed"})
    table[("f", "sums_to_one")] = failure
    result = scoring.score(loaded, table, {"f": set()})
    component = result.components[0]
    assert component.max_score - component.score == 0       # nothing lost
    assert component.max_score == 2 and component.status == "full"  # device rests on it
    check = {c.name: c for c in component.checks}["sums_to_one"]
    assert check.status == "error" and not check.counted
    assert "/srv" not in check.message and "Traceback" not in check.message
    assert result.flags and "/srv" not in result.flags[0] and "test_f.py" in result.flags[0]
    assert check.detail and "device" in {c.name for c in component.checks
                                         if c.status == "error"}  # its dependant too


def test_source_scan_findings_are_flags_not_zeros(rubric_for):
    result = scoring.score(rubric_for(RUBRIC), outcomes(**ALL_PASS), {"f": set()},
                           flags=["hw.py line 3: uses .f_back"])
    assert result.score == 6 and result.flags == ["hw.py line 3: uses .f_back"]


def test_observed_tampering_zeroes_the_submission(rubric_for):
    result = scoring.score(rubric_for(RUBRIC), outcomes(**ALL_PASS), {"f": set()},
                           tampered=["the watch's mode stack was changed"])
    assert result.score == 0 and "mode stack" in result.components[0].message


@pytest.mark.parametrize("extra, words", [
    ('requires = ["nope"]', "not another check"),
    ('requires = ["sums_to_one"]\n', "requires itself"),
    ("requires = 'matches_reference'", "must be a list"),
])
def test_bad_requires_are_refused(rubric_for, extra, words):
    text = RUBRIC.replace('description = "equals the reference"',
                          'description = "equals the reference"\n' + extra)
    with pytest.raises(ConfigError, match=words):
        rubric_for(text)


def test_a_public_check_cannot_require_a_hidden_one(rubric_for):
    text = RUBRIC.replace('description = "equals the reference"',
                          'description = "equals the reference"\nhidden = true')
    with pytest.raises(ConfigError, match="hidden"):
        rubric_for(text)


def test_partial_work_beside_a_stub_keeps_its_points(rubric_for):
    """One check not implemented (a helper still a stub) does not zero the others."""
    component = grade(rubric_for(RUBRIC), **{**ALL_PASS, "device": "not_implemented"})
    assert component.score == 5 and component.status == "partial"


def test_a_component_is_not_implemented_only_when_every_check_that_ran_says_so(rubric_for):
    stub = dict.fromkeys(ALL_PASS, "not_implemented")
    component = grade(rubric_for(RUBRIC), **stub)
    assert component.score == 0 and component.status == "not_implemented"
    skipped = grade(rubric_for(RUBRIC), **{**stub, "device": "skipped"})
    assert skipped.status == "not_implemented"


def test_a_submission_that_could_not_be_graded_gets_zero_everywhere_with_the_reason(rubric_for):
    loaded = rubric_for(RUBRIC.replace('description = "equals the reference"',
                                       'description = "equals the reference"\nhidden = true')
                        .replace('requires = ["matches_reference"]\n', ""))
    result = scoring.not_graded(loaded, "the notebook is not valid JSON")
    [component] = result.components
    assert (result.assignment, result.title, result.score, result.max_score) == ("hwx", "hwx", 0, 6)
    assert (component.name, component.title, component.score, component.max_score) == (
        "f", "f(x)", 0.0, 6)
    assert component.status == "not_graded" and component.message == "the notebook is not valid JSON"
    assert [(c.name, c.kind, c.passed, c.points, c.max_points, c.status, c.message)
            for c in component.checks] == [
        ("matches_reference", "reference", False, 0.0, 2.0, "not_graded", "the notebook is not valid JSON"),
        ("sums_to_one", "property", False, 0.0, 3.0, "not_graded", "the notebook is not valid JSON"),
        ("device", "device", False, 0.0, 1.0, "not_graded", "the notebook is not valid JSON"),
        ("from_scratch", "scratch", False, 0.0, 0.0, "not_graded", "the notebook is not valid JSON")]
    assert [c.hidden for c in component.checks] == [True, False, False, False]
    assert component.checks[1].description == "sums to one"


# --- exact results: what each check and component says -----------------------------

HINTED = RUBRIC.replace('description = "sums to one"', 'description = "sums to one"\nhint = "divide"')


def _by_name(component):
    return {c.name: c for c in component.checks}


def test_a_failed_check_gets_its_hint_once_and_only_when_it_failed(rubric_for):
    loaded = rubric_for(HINTED)
    table = outcomes(**ALL_PASS)
    table[("f", "sums_to_one")] = Outcome("failed", "row 0 sums to 2", example="X=1",
                                          seconds=0.123456789)
    check = _by_name(scoring.score(loaded, table, {}).components[0])["sums_to_one"]
    assert (check.passed, check.points, check.status, check.message, check.example,
            check.seconds, check.hidden, check.description, check.counted) == (
        False, 0.0, "failed", "row 0 sums to 2. Hint: divide", "X=1", 0.1235, False,
        "sums to one", True)
    table[("f", "sums_to_one")] = Outcome("failed", "already. Hint: other")
    assert _by_name(scoring.score(loaded, table, {}).components[0])["sums_to_one"].message == \
        "already. Hint: other"
    table[("f", "sums_to_one")] = Outcome("timeout", "took too long")
    assert _by_name(scoring.score(loaded, table, {}).components[0])["sums_to_one"].message == \
        "took too long"
    table[("f", "sums_to_one")] = Outcome("passed", "")
    assert _by_name(scoring.score(loaded, table, {}).components[0])["sums_to_one"].message == ""


def test_a_banned_call_fails_the_gate_with_the_reason_and_leaves_other_checks_as_they_ran(rubric_for):
    result = scoring.score(rubric_for(RUBRIC), outcomes(**ALL_PASS),
                           {"f": {"record:Optimizer.step#*", "aten::_softmax*"}})
    component = result.components[0]
    checks = _by_name(component)
    reason = ("it calls Optimizer.step (torch.optim), aten::_softmax, which this component must "
              "implement from scratch; rewrite it with basic tensor operations")
    assert (checks["from_scratch"].passed, checks["from_scratch"].status,
            checks["from_scratch"].message) == (False, "failed", reason)
    assert checks["matches_reference"].passed and checks["matches_reference"].status == "passed"
    assert (component.score, component.max_score, component.status, component.message) == (
        0.0, 6.0, "banned", f"scored 0: {reason}")


def test_a_check_without_an_outcome_did_not_run_and_is_not_counted(rubric_for):
    table = outcomes(**ALL_PASS)
    del table[("f", "device")]
    component = scoring.score(rubric_for(RUBRIC), table, {"f": set()}).components[0]
    device = _by_name(component)["device"]
    assert (device.status, device.counted, device.points, device.message) == (
        "error", False, 0.0, scoring.NOT_RUN.message)
    assert (component.score, component.max_score, component.status, component.message) == (
        5.0, 5.0, "full", "")


def test_statuses_and_their_messages(rubric_for):
    loaded = rubric_for(RUBRIC)
    zero = grade(loaded, **{**ALL_PASS, "matches_reference": "failed"})
    assert (zero.status, zero.message) == ("zero", "")
    one = grade(loaded, **{**ALL_PASS, "device": "failed"})
    assert (one.score, one.status, one.message) == (5.0, "partial", "")
    stub = grade(loaded, **dict.fromkeys(ALL_PASS, "not_implemented"))
    assert stub.message == "not implemented yet"
    full = grade(loaded, **ALL_PASS)
    assert (full.name, full.title, full.message) == ("f", "f(x)", "")


def test_only_the_components_asked_for_are_scored(rubric_for):
    loaded = rubric_for(RUBRIC + '\n[components.g]\ntitle = "g"\n[components.g.checks.api]\n'
                                 'kind = "api"\npoints = 1\ndescription = "d"\n')
    table = {**outcomes(**ALL_PASS), ("g", "api"): Outcome("passed")}
    assert [c.name for c in scoring.score(loaded, table, {}, components={"g"}).components] == ["g"]
    assert [c.name for c in scoring.score(loaded, table, {}).components] == ["f", "g"]


def test_the_result_carries_what_it_was_given(rubric_for):
    loaded = rubric_for(RUBRIC)
    result = scoring.score(loaded, outcomes(**ALL_PASS), {}, load_problems=({"type": "X"},),
                           student_output="hello")
    assert (result.assignment, result.title, result.load_problems, result.student_output) == (
        "hwx", "hwx", [{"type": "X"}], "hello")
    bare = scoring.score(loaded, outcomes(**ALL_PASS), {})
    assert (bare.student_output, bare.load_problems, bare.flags) == ("", [], [])


def test_a_failed_check_with_details_is_no_grader_failure(rubric_for):
    table = outcomes(**ALL_PASS)
    table[("f", "device")] = Outcome("failed", "wrong device", detail="inner detail")
    assert scoring.score(rubric_for(RUBRIC), table, {}).flags == []


def test_tampering_counts_every_check_and_names_the_first_three(rubric_for):
    table = outcomes(**ALL_PASS)
    table[("f", "device")] = Outcome("error", "grader failed", detail="boom")
    result = scoring.score(rubric_for(RUBRIC), table, {"f": set()},
                           tampered=["a", "b", "c", "d"])
    component = result.components[0]
    assert (component.score, component.max_score, component.status) == (0.0, 6.0, "banned")
    assert all(check.counted for check in component.checks)
    assert component.message == ("scored 0: while it ran, the code tampered with the grader's "
                                 "from-scratch watch (a; b; c)")


REVERSED = """
[components.f]
[components.f.checks.device]
kind = "device"
points = 1
description = "runs anywhere"
requires = ["sums_to_one"]
[components.f.checks.sums_to_one]
kind = "property"
points = 3
description = "sums to one"
requires = ["matches_reference"]
[components.f.checks.matches_reference]
kind = "reference"
points = 2
description = "equals the reference"
"""


def test_a_chain_of_requires_settles_whatever_the_order_of_the_checks(rubric_for):
    loaded = rubric_for(REVERSED)
    failed = grade(loaded, device="passed", sums_to_one="passed", matches_reference="failed")
    checks = _by_name(failed)
    assert checks["device"].status == checks["sums_to_one"].status == "withheld"
    assert not checks["device"].passed and not checks["sums_to_one"].passed
    assert checks["device"].withheld_by == ["sums_to_one"] and failed.score == 0
    assert checks["device"].message == (
        "0 of 1: this device check holds, but sums_to_one did not pass (sums to one), which "
        "shows the function does the actual work, so it earns nothing; fix sums_to_one first")
    broken = outcomes(device="passed", sums_to_one="passed")
    broken[("f", "matches_reference")] = Outcome("error", "x", detail="grader bug")
    lost = _by_name(scoring.score(loaded, broken, {}).components[0])
    assert lost["device"].counted is False and lost["sums_to_one"].counted is False
    assert lost["sums_to_one"].message == (
        "not counted: it earns its points together with matches_reference, on which the "
        "grader itself failed (not a problem with your code)")
    assert lost["sums_to_one"].passed is False and lost["device"].passed is False




def test_ban_names_are_shown_as_students_know_them():
    assert scoring._readable("record:StepX#*") == "StepX (torch.optim)"
    assert scoring._readable("aten::_softmaxX*") == "aten::_softmaxX"
    assert scoring._readable("torch.nn.functional.softmax") == "torch.nn.functional.softmax"
