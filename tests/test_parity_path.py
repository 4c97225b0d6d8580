"""The GPU parity code path, exercised without a GPU.

``GRADER_PARITY_DEVICE=cpu`` makes the parity checks compare the CPU with
itself: every comparison, gradient, device and nondeterminism step runs, so
a broken parity check is caught here and not first on a GPU machine.  The
real GPU run is ``make test-gpu`` (tests/gpu).
"""
import json

import pytest

from conftest import REFERENCE, run_grader


@pytest.mark.parametrize("assignment", ["hw1", "hw2"])
def test_parity_checks_pass_for_the_reference(assignment, tmp_path):
    out = tmp_path / "r.json"
    proc = run_grader("grade", REFERENCE / f"{assignment}.py", "--assignment", assignment,
                      "--json", out, env={"GRADER_PARITY_DEVICE": "cpu"})
    result = json.loads(out.read_text())
    parity = {c["name"]: next(k for k in c["checks"] if k["name"] == "gpu_parity")
              for c in result["components"]}
    assert {n: k["status"] for n, k in parity.items()} == {n: "passed" for n in parity}, \
        {n: k["message"] for n, k in parity.items()}
    assert result["score"] == result["max_score"], proc.stdout
