"""Known-buggy implementations must lose points on the check meant to catch them.

Each file in ``tests/mutants/<assignment>/`` defines one component the way a
student might get it wrong (or right, differently), with a header::

    # component: softmax
    # expect-fail: rows_sum_to_one, matches_reference_float64
    # expect-score: 9          (optional: exact component score)
    # expect: full             (instead of expect-fail: must get full marks)
    # expect-at-most: 1        (a degenerate implementation: it may keep at most this)
    # expect-status: full      (optional: the component's status)
    # expect-hint: WHOLE matrix (optional: some failed check's message names the cause)

It is appended to the reference solution; all mutants of an assignment are
graded together by one ``grader batch`` run (which this test also exercises).
Beyond its header, every mutant's exact scores (each component's, and the
checks its component failed) are pinned in ``mutants/expected_scores.json``
(``tests/pinned_scores.py``), so an extra deduction anywhere fails too.
"""
from pathlib import Path

import pytest

from conftest import REFERENCE, cached_batch, session_dir
from pinned_scores import TABLES, check_pinned

MUTANTS = sorted(Path(__file__).parent.glob("mutants/hw*/*.py"))


def header(path: Path) -> dict:
    fields = {}
    for line in path.read_text().splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            fields[key.strip()] = value.strip()
    return fields


def _write_all_mutants(assignment: str):
    reference = (REFERENCE / f"{assignment}.py").read_text()

    def build(folder: Path):
        for mutant in MUTANTS:
            if mutant.parent.name == assignment:
                (folder / mutant.name).write_text(reference + "\n\n" + mutant.read_text())
    return build


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    cache = session_dir(tmp_path_factory)
    return lambda assignment: cached_batch(cache, f"mutants-{assignment}", assignment,
                                           _write_all_mutants(assignment))


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_mutant_is_caught(mutant, graded):
    spec = header(mutant)
    assignment = mutant.parent.name
    assert "component" in spec, f"{mutant} has no '# component:' header"
    row = graded(assignment)[mutant.stem]
    assert row["status"] == "graded", row["status_message"]
    components = {c["name"]: c for c in row["result"]["components"]}
    component = components[spec["component"]]
    checks = {c["name"]: c for c in component["checks"]}
    # Student code must never take a check out of the score: "error" (not counted)
    # is for the grader's own failures, which no submission can cause.
    uncounted = {n: c.get("detail") or c["message"] for n, c in checks.items() if c["status"] == "error"}
    assert not uncounted, f"{mutant.name} made checks uncounted: {uncounted}"
    if spec.get("expect") == "full":
        failed = {n: c["message"] for n, c in checks.items()
                  if not c["passed"] and c["status"] != "skipped"}
        assert not failed, f"correct-but-different code lost points: {failed}"
        assert component["score"] == component["max_score"]
        _assert_no_other_component_lost(mutant, spec, components)
        return
    if "expect-at-most" in spec:
        assert component["score"] <= float(spec["expect-at-most"]), (
            f"{mutant.name} does no real work but kept {component['score']} points: "
            f"{[(n, c['points']) for n, c in checks.items() if c['points']]}")
        _assert_no_other_component_lost(mutant, spec, components)
        _assert_hint(mutant, spec, checks)
        return
    expected = [name.strip() for name in spec["expect-fail"].split(",")]
    for name in expected:
        assert name in checks, f"{mutant.name}: unknown check {name}"
        assert not checks[name]["passed"], f"{mutant.name}: {name} should fail but passed"
        assert checks[name]["message"], f"{mutant.name}: {name} failed without a message"
    assert component["score"] < component["max_score"] or spec.get("expect-status") == "full"
    _assert_no_other_component_lost(mutant, spec, components)
    if "expect-score" in spec:
        assert component["score"] == float(spec["expect-score"]), component
    if "expect-status" in spec:
        assert component["status"] == spec["expect-status"], component
    _assert_hint(mutant, spec, checks)


def _assert_hint(mutant, spec, checks):
    """Some failed check's message names the cause (``# expect-hint:``)."""
    if "expect-hint" in spec:
        messages = [c["message"] for c in checks.values() if not c["passed"]]
        assert any(spec["expect-hint"] in m for m in messages), (mutant.name, messages)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_mutant_scores_are_the_pinned_ones(mutant, graded):
    """Every component's score and the failed checks, exactly: no extra deduction."""
    assignment = mutant.parent.name
    check_pinned(TABLES[f"mutants-{assignment}"], f"{assignment}/{mutant.stem}",
                 graded(assignment)[mutant.stem], header(mutant)["component"])


def test_every_pinned_mutant_exists():
    import json
    pinned = json.loads(TABLES["mutants-hw1"].read_text())
    assert set(pinned) == {f"{m.parent.name}/{m.stem}" for m in MUTANTS}


def _assert_no_other_component_lost(mutant, spec, components):
    others = [c["name"] for c in components.values() if c["name"] != spec["component"]
              and c["score"] < c["max_score"] and not _depends_on(c["name"], spec["component"])]
    assert not others, f"{mutant.name} also cost points in {others}"


@pytest.mark.parametrize("assignment", ["hw1", "hw2"])
def test_every_check_with_points_fails_a_degenerate_or_is_gated(assignment, graded):
    """A check that no do-nothing implementation fails must earn its points only with
    evidence of correctness (``requires`` in the rubric)."""
    from grader.rubric import load_rubric
    rows = graded(assignment)
    failed: dict[str, set] = {}
    for mutant in MUTANTS:
        spec = header(mutant)
        if mutant.parent.name != assignment or "expect-at-most" not in spec:
            continue
        component = next(c for c in rows[mutant.stem]["result"]["components"]
                         if c["name"] == spec["component"])
        failed.setdefault(spec["component"], set()).update(
            c["name"] for c in component["checks"] if not c["passed"] and c["status"] != "skipped")
    unguarded = [f"{c.name}.{k.name}" for c in load_rubric(assignment).components
                 for k in c.checks if k.points > 0 and not k.requires
                 and k.name not in failed.get(c.name, set())]
    assert not unguarded, f"no degenerate implementation fails, and no `requires` gates: {unguarded}"


# Components whose checks legitimately run another component's code.
DEPENDS_ON = {"mlp_scratch": {"relu", "softmax", "cross_entropy", "sgd"},
              "conv2d": {"im2col"}, "max_pool2d": {"im2col"}}


def _depends_on(component: str, mutated: str) -> bool:
    return mutated in DEPENDS_ON.get(component, set())
