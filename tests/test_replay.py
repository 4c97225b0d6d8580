"""Replaying recorded hypothesis cases (grader/replay.py) never changes a grade.

One child process grades the same files twice: first with replay off (plain
hypothesis every time), then with replay on after the reference has filled
the cache.  Everything a student or instructor sees must be identical,
and a check body sees the same cases in the same order.
"""
import json
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO, with_reference

MUTANTS = REPO / "tests" / "mutants"

DRIVER = textwrap.dedent("""
    import importlib, json, sys
    from pathlib import Path
    from grader import config, replay, report
    from grader.grading import grade

    def view(path, assignment):
        data = report.to_json(grade(Path(path), assignment), student_view=False)
        data.pop("timings", None)
        for component in data["components"]:
            for check in component["checks"]:
                check.pop("seconds", None)
        return data

    jobs = json.loads(sys.argv[1])
    replay.ENABLED = False
    plain = [view(path, assignment) for path, assignment in jobs]
    replay.ENABLED = True
    for assignment in sorted({a for _, a in jobs}):
        view(f"reference/{assignment}.py", assignment)   # records every passing check
    hypothesis_checks = set()
    for assignment in {a for _, a in jobs}:
        for path in (config.CHECKS_DIR / assignment).rglob("test_*.py"):
            dotted = path.relative_to(config.REPO_ROOT).with_suffix("").as_posix().replace("/", ".")
            module = importlib.import_module(dotted)
            node = path.relative_to(config.CHECKS_DIR).as_posix()
            hypothesis_checks |= {f"{node}::{name}" for name, f in vars(module).items()
                                  if name.startswith("test_") and hasattr(f, "hypothesis")}
    replayed = [view(path, assignment) for path, assignment in jobs]
    print(json.dumps({"plain": plain, "replayed": replayed, "recorded": len(replay._cases),
                      "never_recorded": sorted(hypothesis_checks - set(replay._cases)),
                      "heavy_imports": [m for m in ("torch._dynamo", "sympy") if m in sys.modules]}))
""")

def _grade_both_ways(jobs) -> dict:
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([[str(p), a] for p, a in jobs])],
                          cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("assignment,mutants", [
    ("hw1", ["softmax_wrong_axis", "cross_entropy_sum", "sgd_rebinds", "mlp_no_flatten"]),
    ("hw2", ["dropout_scaled_by_ratio", "conv2d_flipped_kernel", "im2col_missing_plus_one"]),
])
def test_replay_gives_the_same_grades_and_cases(assignment, mutants, tmp_path):
    jobs = []
    for name in mutants:
        folder = tmp_path / name
        folder.mkdir()
        jobs.append((with_reference(MUTANTS / assignment / f"{name}.py", assignment, folder),
                     assignment))
    result = _grade_both_ways(jobs)
    assert result["recorded"] >= 15, "the reference should have filled the replay cache"
    # a check whose cases cannot be recorded runs hypothesis for every submission
    assert result["never_recorded"] == [], "draw plain data (no st.data()) in these checks"
    # each costs a batch scorer about 1 s to import; torch pulls them in lazily for
    # torch.optim, explicit backward gradients, unravel_index and meta tensors
    assert result["heavy_imports"] == [], "a check or comparison imported these into the scorer"
    for (path, _), plain, replayed in zip(jobs, result["plain"], result["replayed"]):
        assert replayed == plain, f"replay changed the result of {path.name}"
        assert plain["score"] < plain["max_score"], f"{path.name} should lose points"


CASES_DRIVER = textwrap.dedent("""
    import json, torch
    import grader.checks.conftest  # the grading hypothesis profile
    from grader import replay
    from grader.checks.hw1 import test_softmax

    class LoggingStudent:
        def __init__(self):
            self.seen = []
        def call(self, name, X):
            self.seen.append(X.tolist())
            return torch.softmax(X, dim=1)

    sequences = {}
    for check in (test_softmax.test_rows_sum_to_one, test_softmax.test_matches_reference_float64):
        runs = []
        plain = LoggingStudent()
        check(student=plain)                   # hypothesis alone
        runs.append(plain.seen)
        for _ in range(2):                     # records, then replays
            student = LoggingStudent()
            replay.run_check(check.__name__, check, {"student": student})
            runs.append(student.seen)
        sequences[check.__name__] = runs
    print(json.dumps({"sequences": sequences, "recorded": sorted(replay._cases)}))
""")


def test_replay_feeds_the_same_cases_in_the_same_order():
    proc = subprocess.run([sys.executable, "-c", CASES_DRIVER], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["recorded"] == ["test_matches_reference_float64", "test_rows_sum_to_one"]
    for name, (plain, recording, replayed) in result["sequences"].items():
        assert len(plain) >= 10, name
        assert recording == plain, f"{name}: recording changed the generated cases"
        assert replayed == plain, f"{name}: replay fed different cases"
