"""`grader ci`: workflow commands escaped as GitHub's toolkit does, thresholds, hidden
checks masked in annotations and the job summary.  (The release's workflow runs it in
test_workflows.py.)"""
import json
import os

import pytest

from conftest import REPO, run_grader, with_reference
from grader import ci
from grader.errors import UsageError


def test_workflow_command_escaping():
    assert ci.escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert ci.escape_property("a: b, 50%\n") == "a%3A b%2C 50%25%0A"
    line = ci._error({"file": "hw1,x.py", "line": 3}, "t: 1", "two\nlines")
    assert line == "error file=hw1%2Cx.py,line=3,title=t%3A 1::two%0Alines"


@pytest.mark.parametrize("text, needed", [("80%", 33.6), ("100%", 42), ("0", 0), ("30", 30),
                                          ("42", 42), (" 12.5 ", 12.5)])
def test_thresholds(text, needed):
    assert ci.parse_threshold(text).points(42) == pytest.approx(needed)


@pytest.mark.parametrize("text", ["101%", "-1", "80 %%", "half", ""])
def test_bad_thresholds(text):
    with pytest.raises(UsageError, match="not points"):
        ci.parse_threshold(text)


def test_more_points_than_there_are_is_refused():
    with pytest.raises(UsageError, match="more than the 42 points"):
        ci.parse_threshold("43").points(42)


def ci_run(tmp_path, path, *extra):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_REPOSITORY": "course/hw1-alice"}
    proc = run_grader("ci", "--assignment", "hw1", "--path", path, "--json",
                      tmp_path / "r.json", *extra, env=env)
    return proc, summary


def test_hidden_checks_show_only_name_and_points(tmp_path):
    # sums instead of averaging: fails the public reference checks, the gradient (n times
    # the reference's) and the hidden batch_invariances check; its device check and its
    # single_example_value (a batch of one, where a sum is the mean) are withheld
    submission = with_reference(REPO / "tests/mutants/hw1/cross_entropy_sum.py", "hw1", tmp_path)
    proc, summary = ci_run(tmp_path, submission, "--threshold", "37")
    # 37 of 47: the training check uses the student's cross_entropy too
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "threshold 37 of 47 points: reached with 37" in proc.stdout
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    hidden = [line for line in errors if "batch_invariances" in line]
    assert hidden == ["::error title=hw1 cross_entropy.batch_invariances (0/1 pt)%2C hidden"
                      "::hidden check failed"]  # outside the working directory: no file=
    assert any("cross_entropy.matches_reference_float64" in line and "MEAN" in line
               for line in errors)
    text = summary.read_text()
    assert "# hw1 feedback: course/hw1-alice" in text
    assert "hidden check: 0 / 1" in text
    assert "shuffling the rows" not in text + proc.stdout  # the hidden check's description
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["max_score"] == 47


def test_usage_errors_are_clear_and_annotated(tmp_path):
    # (a score below the threshold: test_workflows.py, the stubs of a release)
    submission = with_reference(REPO / "tests/mutants/hw1/cross_entropy_sum.py", "hw1", tmp_path)
    proc, _ = ci_run(tmp_path, submission, "--threshold", "48")
    assert proc.returncode == 2 and "more than the 47 points" in " ".join(proc.stderr.split())
    assert "::error title=hw1%3A not graded::" in proc.stdout
    proc, _ = ci_run(tmp_path, tmp_path / "missing.py")
    assert proc.returncode == 2 and "does not exist" in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not os.path.exists(tmp_path / "missing.py")


def test_classroom_notices_carry_the_points_as_the_reporter_action_does():
    assert ci.classroom_notices(33.5, 42) == [
        "notice title=Autograding complete::Points 33.5/42",
        'notice title=Autograding report::{"totalPoints": 33.5, "maxPoints": 42}']
    assert ci.classroom_notices(0, 42.0)[0].endswith("::Points 0/42")


def test_annotations_of_a_graded_notebook_point_at_the_notebook(tmp_path, monkeypatch):
    import shutil
    folder = tmp_path / "assignments/hw1"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "assignments/hw1/hw1.ipynb", folder)
    monkeypatch.chdir(tmp_path)
    found = ci._locations(folder / "hw1.ipynb", "hw1")
    assert found["softmax"] == {"file": "assignments/hw1/hw1.ipynb"}


def test_a_loading_error_is_annotated_on_its_line_first(tmp_path, monkeypatch):
    path = tmp_path / "hw1.py"
    path.write_text("import torch\n\ndef softmax(X):\n    return (X.exp()\n")
    summary = tmp_path / "summary.md"
    proc = run_grader("ci", "--assignment", "hw1", "--path", "hw1.py", "--threshold", "0",
                      cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert errors[0] == ("::error file=hw1.py,line=4,col=12,title=hw1%3A your code does not "
                         "load (hw1.py line 4)::SyntaxError: '(' was never closed")
    assert "not loaded: see the error above" in proc.stdout
