"""One pytest session per process runs the checks for every submission
(grader/session.py): nothing of one submission may reach the next.

A child process grades reference, mutant, reference, mutant in turn, with
replay off so every check runs its full hypothesis search; each result must
equal that of a process that grades the same file alone.
"""
import json
import subprocess
import sys
import textwrap

from conftest import REPO, REFERENCE, with_reference

DRIVER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from grader import replay, report
    from grader.grading import grade

    replay.ENABLED = False
    results = []
    for path in json.loads(sys.argv[1]):
        data = report.to_json(grade(Path(path), "hw1"), student_view=False)
        data.pop("timings", None)
        for component in data["components"]:
            for check in component["checks"]:
                check.pop("seconds", None)
        results.append(data)
    print(json.dumps(results))
""")


def _grade_in_one_process(paths) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([str(p) for p in paths])],
                          cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_each_submission_is_graded_as_if_alone(tmp_path):
    mutant = with_reference(REPO / "tests" / "mutants" / "hw1" / "softmax_wrong_axis.py",
                            "hw1", tmp_path)
    reference = REFERENCE / "hw1.py"
    together = _grade_in_one_process([reference, mutant, reference, mutant])
    alone = [_grade_in_one_process([path])[0] for path in (reference, mutant)]
    assert together[0]["score"] == together[0]["max_score"]
    assert together[1]["score"] < together[1]["max_score"]
    assert together == alone + alone


def test_hidden_checks_run_last_and_the_long_ones_last_of_all():
    """Hidden checks after every public one (their inputs must not reach what the
    student sees), and among them those with the rubric's longer limit (the training
    run) at the very end: a run that hangs then spends only its own time."""
    from grader import config, session
    from grader.rubric import load_rubric

    rubric = load_rubric("hw1")
    plugin = session.for_rubric(rubric).plugin
    order = []
    for item in session.for_rubric(rubric).session.items:
        component, check = plugin.key(item)
        spec = rubric.component(component).check(check)
        order.append((spec.hidden, spec.timeout > config.CHECK_TIMEOUT_S))
    assert (True, True) in order and (True, False) in order and (False, False) in order
    assert order == sorted(order)


SHRINK_DRIVER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from grader import report
    from grader.grading import grade
    from grader.plugin import GradingPlugin

    def view(path):
        data = report.to_json(grade(Path(path), "hw1"), student_view=False)
        return {c["name"]: [(k["name"], k["status"], k["points"], bool(k["example"]),
                             k["example_is_smallest"]) for k in c["checks"] if not k["hidden"]]
                for c in data["components"]}

    mine = view(sys.argv[1])
    GradingPlugin._shrinks = lambda self, item: not self._hidden(item)   # the old rule
    print(json.dumps({"mine": mine, "every": view(sys.argv[1])}))
""")


def test_only_a_components_first_failing_check_is_shrunk_and_no_score_moves(tmp_path):
    """A wrong-axis softmax fails several public checks for one bug; shrinking each
    was about a third of such a submission's time.  Only the first is shrunk, the
    others say their input is the first found, and every status and point stays."""
    mutant = with_reference(REPO / "tests" / "mutants" / "hw1" / "softmax_wrong_axis.py",
                            "hw1", tmp_path)
    proc = subprocess.run([sys.executable, "-c", SHRINK_DRIVER, str(mutant)], cwd=REPO,
                          capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.splitlines()[-1])
    mine, every = seen["mine"], seen["every"]
    strip = lambda view: {c: [k[:3] for k in checks] for c, checks in view.items()}
    assert strip(mine) == strip(every)            # statuses and points
    with_example = [k for k in mine["softmax"] if k[3]]
    assert len(with_example) >= 3                 # the same bug fails several checks
    assert with_example[0][4] is True and all(k[4] is False for k in with_example[1:])
    assert all(k[4] for checks in every.values() for k in checks)   # public: all shrunk
