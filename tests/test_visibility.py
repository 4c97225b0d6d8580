"""No student output shows what a hidden check found or explains.

One result holds hidden checks in every state (failed with a hint and a
failing input, passed, withheld, grader error, timeout, skipped, not
implemented, not graded), each carrying a unique marker in its message,
example, hint, description and the grader's detail.  It is rendered through
every output a student reads; the marker must appear in none of them, while
the instructor's views keep it.  With the masking switched off, the marker
must reach every one of those outputs: a renderer that masks on its own (a
second rule) or renders from somewhere else fails that test.
"""
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from grader import ci, incell, report, scoring, visibility
from grader.instructor.exports import gradescope, plots, write_all
from grader.render import feedback, junit
from grader.outcomes import GRADER_FAILED, Outcome
from grader.rubric import Check, Component, Rubric
from grader.status import Status

MARK = "QUOKKA-5f1e"   # appears only in what the hidden checks carry


@pytest.fixture(autouse=True)
def unrendered_plots(monkeypatch):
    """The summary's plots are pictures of totals and pass rates, never a check's text:
    skipping their drawing and PNG rendering keeps these tests fast for ``make mutate``."""
    monkeypatch.setattr(plots, "to_png_base64", lambda figure: "")
    for name in ("totals_histogram", "pass_rate_bars", "component_mean_bars"):
        monkeypatch.setattr(plots, name, lambda *args: "")


def _hidden(name, kind="property", points=1.0, requires=()):
    return Check(name, kind, points, description=f"describes {MARK}-{name}-description",
                 hint=f"hint {MARK}-{name}-hint", hidden=True, requires=requires)


RUBRIC = Rubric("hw1", "Secrets", (
    Component("softmax", "softmax(X)", (), (
        Check("matches_reference", "reference", 2.0, "equals torch.softmax"),
        _hidden("fails"), _hidden("passes"), _hidden("withheld", requires=("matches_reference",)),
        _hidden("grader_fails"), _hidden("times_out"), _hidden("skipped_here"),
        _hidden("free_skip", kind="parity", points=0.0), _hidden("crashes"))),
    Component("relu", "relu(X)", (), (
        Check("contract", "api", 1.0, "returns a tensor"),
        _hidden("not_written"))),
), directory=Path("."))

OUTCOMES = {
    ("softmax", "matches_reference"): Outcome(Status.FAILED, "off by 0.5", "X=tensor([[1.]])"),
    ("softmax", "fails"): Outcome(Status.FAILED, f"wrong {MARK}-message", f"X={MARK}-example",
                                  detail=f"{MARK}-detail"),
    ("softmax", "passes"): Outcome(Status.PASSED),
    ("softmax", "withheld"): Outcome(Status.PASSED),
    ("softmax", "grader_fails"): Outcome(Status.ERROR, GRADER_FAILED,
                                         detail=f"KeyError: {MARK}-detail"),
    ("softmax", "times_out"): Outcome(Status.TIMEOUT, f"took longer than 5 s on {MARK}-input"),
    ("softmax", "skipped_here"): Outcome(Status.SKIPPED, f"needs {MARK}-skip-reason"),
    ("softmax", "free_skip"): Outcome(Status.SKIPPED, f"no CUDA {MARK}-parity"),
    ("softmax", "crashes"): Outcome(Status.CRASHED, f"segfault on {MARK}-crash"),
    ("relu", "contract"): Outcome(Status.NOT_IMPLEMENTED, "relu raises NotImplementedError"),
    ("relu", "not_written"): Outcome(Status.NOT_IMPLEMENTED, f"not implemented {MARK}-ni"),
}


def _result():
    return scoring.score(RUBRIC, OUTCOMES, {})


def _row(result_json, student_id="kim_42", status=Status.GRADED):
    return {"student_id": student_id, "file": f"{student_id}.ipynb", "status": status,
            "status_message": "", "seconds": 3.0, "result": result_json}


def _terminal(render) -> str:
    console = Console(file=io.StringIO(), width=300, record=True)
    render(console)
    return console.export_text()


def student_artifacts(tmp_path) -> dict[str, str]:
    """Every output a student reads, rendered from the instructor's data where a
    renderer is given it (the batch exports, CI from a gradebook row)."""
    result = _result()
    instructor = report.to_json(result, student_view=False)
    ungraded = report.to_json(scoring.not_graded(RUBRIC, "not a notebook"), student_view=False)
    rows = [_row(instructor), _row(ungraded, "lee_7", Status.UNREADABLE)]
    out = tmp_path / "batch"
    write_all(out, "hw1", RUBRIC.title, rows)
    report.write_json([result], tmp_path / "student.json")
    artifacts = {f"exports/{path.relative_to(out).as_posix()}": path.read_text()
                 for path in sorted(out.rglob("*")) if path.is_file()
                 and path.relative_to(out).parts[0] in ("feedback", "gradescope", "junit")}
    artifacts |= {
        "terminal": _terminal(lambda console: report.print_result(result, console)),
        "json": json.dumps(report.to_json(result)),
        "json file": (tmp_path / "student.json").read_text(),
        "feedback md+html": "".join(p.read_text() for p in feedback.write(
            tmp_path / "fb", "kim", "hw1", RUBRIC.title, rows[0])),
        "gradescope": json.dumps(gradescope.results(rows[0])),
        "gradescope (not graded)": json.dumps(gradescope.results(rows[1])),
        "junit": junit.write(tmp_path / "kim.xml", "hw1", rows[0]).read_text(),
        "ci annotations": "\n".join(ci.annotations(rows[0], "hw1", {})),
        "ci summary": ci.summary_markdown(rows[0], "hw1", RUBRIC.title, "100%", False),
        "incell": _terminal(lambda console: report.print_result(
            incell.result_from_json(instructor), console)),
    }
    return artifacts


def instructor_artifacts(tmp_path) -> dict[str, str]:
    result = _result()
    rows = [_row(report.to_json(result, student_view=False))]
    write_all(tmp_path / "batch", "hw1", RUBRIC.title, rows)
    return {"gradebook row": json.dumps(rows[0]),
            "report.html": (tmp_path / "batch" / "report.html").read_text()}


def test_no_student_output_shows_a_hidden_checks_text(tmp_path):
    artifacts = student_artifacts(tmp_path)
    assert len(artifacts) >= 15
    leaks = {name: re.findall(rf"[^\n]{{0,40}}{MARK}[^\n]{{0,20}}", text)
             for name, text in artifacts.items() if MARK in text}
    assert not leaks
    # the hidden checks are there, by name, with their points and fixed words
    for name in ("terminal", "feedback md+html", "junit", "ci annotations"):
        assert "hidden check" in artifacts[name], name
    assert "times_out" in artifacts["junit"] and "fails" in artifacts["ci annotations"]
    assert "earns its points once matches_reference passes" in artifacts["json"]


def test_instructor_views_keep_the_hidden_checks_text(tmp_path):
    views = instructor_artifacts(tmp_path)
    assert all(MARK in text for text in views.values()), [n for n, t in views.items() if MARK not in t]
    assert f"{MARK}-detail" in views["gradebook row"]


def test_without_the_rule_every_student_output_would_leak(tmp_path, monkeypatch):
    """Proves each output renders checks through visibility.student_check: with its
    masking off, the hidden text reaches every one of them."""
    monkeypatch.setattr(visibility, "_mask", lambda shown: None)
    artifacts = student_artifacts(tmp_path)
    silent = [name for name, text in artifacts.items() if MARK not in text
              and "not graded" not in name and "lee_7" not in name]
    assert not silent


def test_the_rule_keeps_name_points_and_status_and_nothing_else():
    result = _result()
    shown = {c["name"]: c for comp in report.to_json(result)["components"]
             for c in comp["checks"]}
    fails = shown["fails"]
    assert (fails["name"], fails["kind"], fails["points"], fails["max_points"],
            fails["status"], fails["hidden"]) == ("fails", "property", 0, 1, "failed", True)
    assert fails["message"] == "hidden check failed"
    assert fails["example"] == "" and fails["description"] == "hidden check"
    assert "detail" not in fails and "detail" not in shown["matches_reference"]
    assert shown["passes"]["message"] == "" and shown["passes"]["points"] == 1
    assert shown["withheld"]["status"] == "withheld"
    assert shown["grader_fails"]["status"] == "error"
    assert "grader failed" in shown["grader_fails"]["message"]
    assert shown["skipped_here"]["message"] == "hidden check: not run here"
    # public checks are untouched
    assert shown["matches_reference"]["message"] == "off by 0.5"
    assert shown["matches_reference"]["example"] == "X=tensor([[1.]])"


@pytest.mark.parametrize("status", sorted(Status))
def test_every_status_of_a_hidden_check_gets_fixed_words(status):
    check = {"name": "c", "hidden": True, "passed": status == Status.PASSED, "status": status,
             "message": MARK, "example": MARK, "description": MARK, "hint": MARK,
             "detail": MARK, "withheld_by": ["a"]}
    assert MARK not in json.dumps(visibility.student_check(check))


# ---------------------------------------------------------------- the rule on its own (fast)

@pytest.mark.parametrize("check, words", [
    ({"passed": True, "status": "failed"}, ""),
    ({"passed": False, "status": "passed"}, ""),
    ({"status": "withheld", "withheld_by": ["a", "b"]},
     "hidden check: earns its points once a, b passes"),
    ({"status": "withheld", "withheld_by": []}, "hidden check failed"),
    ({"status": "withheld"}, "hidden check failed"),
    ({"status": "skipped"}, "hidden check: not run here"),
    ({"status": "error"}, "hidden check: the grader failed on it; not counted in your score"),
    ({"status": "failed", "withheld_by": ["a"]}, "hidden check failed"),
    ({"status": "timeout"}, "hidden check failed"),
    ({}, "hidden check failed")])
def test_hidden_message_is_fixed_words_from_the_status_alone(check, words):
    assert visibility.hidden_message(check) == words


def test_student_check_masks_a_hidden_dict_without_changing_it():
    check = {"name": "c", "hidden": True, "passed": False, "status": "failed", "points": 0,
             "message": MARK, "example": MARK, "description": MARK, "hint": MARK,
             "detail": MARK}
    original = dict(check)
    assert visibility.student_check(check) == {
        "name": "c", "hidden": True, "passed": False, "status": "failed", "points": 0,
        "message": "hidden check failed", "example": "", "description": "hidden check",
        "hint": ""}
    assert check == original
    # a field the check does not carry is not invented, except the fixed words
    assert visibility.student_check({"hidden": True, "status": "skipped"}) == {
        "hidden": True, "status": "skipped", "message": "hidden check: not run here",
        "description": "hidden check"}


def test_student_check_keeps_a_public_check_but_drops_the_graders_detail():
    check = {"name": "c", "hidden": False, "status": "failed", "message": "m", "example": "e",
             "description": "d", "hint": "h", "detail": "KeyError"}
    assert visibility.student_check(check) == {k: v for k, v in check.items() if k != "detail"}
    assert visibility.student_check({"name": "c"}) == {"name": "c"}
    assert "detail" in check


def test_student_check_reads_a_check_result_dataclass():
    [hidden] = [c for comp in _result().components for c in comp.checks if c.name == "fails"]
    shown = visibility.student_check(hidden)
    assert isinstance(shown, dict) and shown["name"] == "fails" and shown["hidden"] is True
    assert shown["message"] == "hidden check failed" and MARK not in json.dumps(shown)
    assert hidden.message.startswith(f"wrong {MARK}-message")   # the result is not changed
