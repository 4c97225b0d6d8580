"""Known-buggy implementations must lose points on the check meant to catch them.

Each file in ``tests/mutants/<assignment>/`` defines one component the way a
student might get it wrong (or right, differently), with a header::

    # component: softmax
    # expect-fail: rows_sum_to_one, matches_reference_float64
    # expect-score: 9          (optional: exact component score)
    # expect: full             (instead of expect-fail: must get full marks)

It is appended to the reference solution and graded with ``--only``.
"""
from pathlib import Path

import pytest

from conftest import grade_json, with_reference

MUTANTS = sorted(Path(__file__).parent.glob("mutants/hw*/*.py"))


def header(path: Path) -> dict:
    fields = {}
    for line in path.read_text().splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            fields[key.strip()] = value.strip()
    return fields


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_mutant_is_caught(mutant, tmp_path):
    spec = header(mutant)
    assignment = mutant.parent.name
    assert "component" in spec, f"{mutant} has no '# component:' header"
    result, _ = grade_json(with_reference(mutant, assignment, tmp_path), assignment, tmp_path,
                           "--only", spec["component"])
    (component,) = result["components"]
    checks = {c["name"]: c for c in component["checks"]}
    if spec.get("expect") == "full":
        failed = {n: c["message"] for n, c in checks.items() if not c["passed"]}
        assert not failed, f"correct-but-different code lost points: {failed}"
        assert component["score"] == component["max_score"]
        return
    expected = [name.strip() for name in spec["expect-fail"].split(",")]
    for name in expected:
        assert name in checks, f"{mutant.name}: unknown check {name}"
        assert not checks[name]["passed"], f"{mutant.name}: {name} should fail but passed"
        assert checks[name]["message"], f"{mutant.name}: {name} failed without a message"
    assert component["score"] < component["max_score"]
    if "expect-score" in spec:
        assert component["score"] == float(spec["expect-score"]), component
