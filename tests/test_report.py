"""grader.report: the student's JSON shows a hidden check's name and points, nothing more."""
from grader import report
from grader.scoring import CheckResult, ComponentResult, GradeResult

SECRET_MESSAGE = "expected 0.2689 at index [0, 1] for X = [[1, 2]]"
SECRET_EXAMPLE = "X=tensor([[1., 2.]])"
SECRET_DESCRIPTION = "matches the reference on the hidden wide inputs"


def _result(passed: bool, status: str = "failed", withheld_by=()) -> GradeResult:
    hidden = CheckResult("hidden_wide", "reference", passed, 2.0 if passed else 0.0, 2.0,
                         SECRET_MESSAGE, "passed" if passed else status, SECRET_EXAMPLE,
                         hidden=True, description=SECRET_DESCRIPTION,
                         withheld_by=list(withheld_by), detail="grader-side detail")
    public = CheckResult("rows", "property", False, 0.0, 1.0, "row 0 sums to 2", "failed",
                         "X=1", description="rows sum to one", detail="internal")
    component = ComponentResult("softmax", "Softmax", hidden.points, 3.0, "partial", "",
                                [hidden, public])
    return GradeResult("hw1", "HW1", [component], flags=["instructor flag"])


def _checks(data):
    return {c["name"]: c for c in data["components"][0]["checks"]}


def test_a_failed_hidden_check_shows_only_its_name_and_points():
    data = report.to_json(_result(passed=False))
    hidden = _checks(data)["hidden_wide"]
    assert hidden["message"] == "hidden check failed" and hidden["example"] == ""
    assert hidden["description"] == "hidden check" and (hidden["points"], hidden["max_points"]) == (0, 2)
    text = repr(data)
    for secret in (SECRET_MESSAGE, SECRET_EXAMPLE, SECRET_DESCRIPTION, "grader-side detail",
                   "internal", "instructor flag"):
        assert secret not in text


def test_a_passed_hidden_check_says_nothing():
    hidden = _checks(report.to_json(_result(passed=True)))["hidden_wide"]
    assert hidden["message"] == "" and hidden["example"] == "" and hidden["points"] == 2


def test_a_withheld_hidden_check_names_what_it_waits_for():
    hidden = _checks(report.to_json(_result(False, "withheld", ["rows"])))["hidden_wide"]
    assert hidden["message"] == "hidden check: earns its points once rows passes"


def test_public_checks_keep_their_message_for_the_student():
    public = _checks(report.to_json(_result(passed=False)))["rows"]
    assert public["message"] == "row 0 sums to 2" and public["example"] == "X=1"
    assert public["description"] == "rows sum to one" and "detail" not in public


def test_the_instructors_view_keeps_everything():
    data = report.to_json(_result(passed=False), student_view=False)
    hidden = _checks(data)["hidden_wide"]
    assert (hidden["message"], hidden["example"], hidden["description"], hidden["detail"]) == (
        SECRET_MESSAGE, SECRET_EXAMPLE, SECRET_DESCRIPTION, "grader-side detail")
    assert data["flags"] == ["instructor flag"]


def test_scores_are_written_as_numbers_students_read():
    data = report.to_json(_result(passed=True))
    assert (data["score"], data["max_score"]) == (2, 3)
    assert isinstance(data["score"], int) and report._num(2.5) == 2.5
    assert report._num(1 / 3) == 0.3333


def test_write_json_writes_one_object_for_one_result(tmp_path):
    import json
    path = tmp_path / "r.json"
    report.write_json([_result(passed=False)], path)
    data = json.loads(path.read_text())
    assert data["assignment"] == "hw1" and SECRET_MESSAGE not in path.read_text()
    assert path.read_text().startswith('{\n  "assignment": "hw1",\n') and path.read_text().endswith("}\n")
    report.write_json([_result(False), _result(True)], path)
    assert [d["score"] for d in json.loads(path.read_text())] == [0, 2]


# --- the terminal report --------------------------------------------------------

from rich.console import Console  # noqa: E402


def _printed(result, details=True) -> list[str]:
    console = Console(record=True, width=160, color_system=None)
    report.print_result(result, console, details=details)
    return [line.rstrip() for line in console.export_text().splitlines()]


def _check(name, passed, status, points=1.0, kind="property", message="", hidden=False,
           example="", description="d"):
    return CheckResult(name, kind, passed, points if passed else 0.0, points, message, status,
                       example, hidden=hidden, description=description)


def _terminal_result(isolation=("no_new_privs",)):
    softmax = ComponentResult("softmax", "Softmax", 1.0, 6.0, "partial", "", [
        _check("rows", True, "passed"),
        _check("values", False, "failed", message="row 0 sums to 2", example="X=[[1.]]"),
        _check("secret", False, "failed", 2.0, "reference", SECRET_MESSAGE, True, SECRET_EXAMPLE),
        _check("gpu_parity", False, "skipped", 2.0, "parity", "no CUDA"),
    ])
    relu = ComponentResult("relu", "ReLU", 0.0, 2.0, "not_implemented", "not implemented yet",
                           [_check("api", False, "not_implemented", 2.0)])
    full = ComponentResult("sgd", "SGD", 3.0, 3.0, "full", "", [
        _check("step", True, "passed", 3.0),
        _check("slow_a", False, "skipped", 0.0, message="needs more time"),
        _check("slow_b", False, "skipped", 0.0, message="needs more time")])
    banned = ComponentResult("ce", "CE", 0.0, 1.0, "banned", "scored 0: it calls F.cross_entropy",
                             [_check("api", False, "failed", message="m")])
    return GradeResult("hw1", "Homework 1", [softmax, relu, full, banned],
                       load_problems=[{"type": "Skipped", "where": "cell 3",
                                       "message": "a training loop left out"}],
                       isolation=list(isolation))


def test_the_terminal_table_has_every_component_its_score_and_status():
    lines = _printed(_terminal_result())
    assert lines[0] == "hw1: Homework 1"
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:4]]
            for line in lines if line.count("│") >= 4}
    assert rows["softmax"] == ["1 / 6", "failed: values, secret"]
    assert rows["relu"] == ["0 / 2", "not implemented yet"]
    assert rows["sgd"] == ["3 / 3", "all checks pass"]
    assert rows["ce"] == ["0 / 1", "scored 0: it calls F.cross_entropy"]
    assert rows["total"] == ["4 / 12", ""]


def test_failures_are_listed_with_hidden_ones_masked():
    lines = _printed(_terminal_result())
    text = "\n".join(lines)
    assert "  ✗ softmax.values (property, 1 pt): d" in lines
    assert "      row 0 sums to 2" in lines
    assert "      smallest failing input: X=[[1.]]" in lines
    assert "  ✗ softmax.secret (reference, 2 pt): hidden check failed" in lines
    assert "  ✗ ce.api (property, 1 pt): d" in lines          # banned: its checks are listed
    assert "relu.api" not in text                              # not implemented: no list
    assert SECRET_MESSAGE not in text and SECRET_EXAMPLE not in text
    assert "gpu_parity" not in text.split("GPU parity")[0]     # skipped: not a failure


def test_skipped_checks_and_notes_get_one_line_each():
    lines = _printed(_terminal_result())
    assert "GPU parity: not run here (2 points)" in lines
    assert "skipped 2 check(s) (sgd.slow_a, sgd.slow_b): needs more time" in lines
    assert "note: a training loop left out (cell 3)" in lines


def test_many_skipped_checks_are_shortened():
    checks = [_check(f"c{i}", False, "skipped", message="why") for i in range(6)]
    result = GradeResult("hw1", "T", [ComponentResult("f", "F", 0.0, 0.0, "full", "", checks)])
    assert "skipped 6 check(s) (f.c0, f.c1, f.c2, f.c3, ...): why" in _printed(result)


def test_details_can_be_left_out():
    text = "\n".join(_printed(_terminal_result(), details=False))
    assert "✗" not in text and "GPU parity: not run here" in text


def test_reduced_isolation_is_named_and_full_isolation_is_not():
    reduced = _printed(_terminal_result(isolation=("no_new_privs", "rlimits")))
    assert "sandbox: reduced isolation on this machine; active: no_new_privs, rlimits" in reduced
    full = "\n".join(_printed(_terminal_result(isolation=("namespaces (user, pid)", "seccomp"))))
    assert "reduced isolation" not in full
    none = "\n".join(_printed(_terminal_result(isolation=())))
    assert "reduced isolation" not in none
