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
    report.write_json([_result(False), _result(True)], path)
    assert [d["score"] for d in json.loads(path.read_text())] == [0, 2]
