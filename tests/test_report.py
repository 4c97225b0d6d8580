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

import io  # noqa: E402

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


def test_the_gpu_line_needs_a_skipped_parity_check():
    checks = [_check("gpu", True, "passed", kind="parity"),
              _check("slow", False, "skipped", message="why")]
    result = GradeResult("hw1", "T", [ComponentResult("f", "F", 1.0, 1.0, "full", "", checks)])
    assert not any("GPU parity" in line for line in _printed(result))


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


# --- exact renderings: every key, word, style and alignment is pinned ----------------
# (rich is pinned in requirements-student.txt, so its escape codes are stable.)

def _styled(result) -> str:
    console = Console(record=True, width=100, color_system="standard", force_terminal=True,
                      file=io.StringIO())
    report.print_result(result, console)
    return console.export_text(styles=True)


def _golden_result():
    """Markup-like words from a student, both sides of the `...` cut-off, two parity checks."""
    softmax = ComponentResult("softmax", "Softmax", 1.0, 10.0, "partial", "", [
        _check("rows", True, "passed"),
        _check("secret", False, "failed", 2.0, "reference", SECRET_MESSAGE, True, SECRET_EXAMPLE),
        _check("values", False, "failed", message="row [b]0[/b] sums to 2", example="X=[i]1[/i]"),
        _check("gpu_a", False, "skipped", 2.0, "parity", "no CUDA"),
        _check("gpu_b", False, "skipped", 1.0, "parity", "no CUDA"),
    ])
    four = ComponentResult("four", "Four", 0.0, 0.0, "full", "",
                           [_check(f"a{i}", False, "skipped", 0.0, message="slow") for i in range(4)])
    five = ComponentResult("five", "Five", 0.0, 0.0, "full", "",
                           [_check(f"b{i}", False, "skipped", 0.0, message="slower") for i in range(5)])
    odd = ComponentResult("odd", "Odd", 0.0, 1.0, "unheard_of", "",
                          [_check("x", False, "failed", message="m 1")])
    return GradeResult("hw1", "Homework 1", [softmax, four, five, odd],
                       load_problems=[{"type": "Skipped", "where": "cell 3",
                                       "message": "a training loop left out"},
                                      {"type": "NameError", "where": "cell 4",
                                       "message": "name 'x' is not defined"}],
                       isolation=["no_new_privs (1)"])


GOLDEN_TERMINAL = [
    '\033[1;31merror while loading your code\033[0m, cell 4:',
    "\033[31mNameError: name 'x' is not defined\033[0m",
    '',
    '\033[3mhw1: Homework 1                                \033[0m',
    '┏━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓',
    '┃\033[1m \033[0m\033[1mcomponent\033[0m\033[1m \033[0m┃\033[1m \033[0m\033[1m score\033[0m\033[1m \033[0m┃\033[1m \033[0m\033[1mstatus                \033[0m\033[1m \033[0m┃',
    '┡━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩',
    '│ softmax   │ 1 / 10 │ \033[33mfailed: secret, values\033[0m │',
    '│ four      │  0 / 0 │ \033[32mall checks pass\033[0m        │',
    '│ five      │  0 / 0 │ \033[32mall checks pass\033[0m        │',
    '│ odd       │  0 / 1 │ \033[39mfailed: x\033[0m              │',
    '│ \033[1mtotal\033[0m     │ \033[1m1 / 11\033[0m │                        │',
    '└───────────┴────────┴────────────────────────┘',
    'note: a training loop left out (cell 3)',
    '  ✗ \033[1msoftmax.secret\033[0m (reference, 2 pt): hidden check failed',
    '  ✗ \033[1msoftmax.values\033[0m (property, 1 pt): d',
    '      row [b]0[/b] sums to 2',
    '      smallest failing input: X=[i]1[/i]',
    '  ✗ \033[1modd.x\033[0m (property, 1 pt): d',
    '      m 1',
    '\033[2mGPU parity: not run here (3 points)\033[0m',
    '\033[2mskipped 4 check(s) (four.a0, four.a1, four.a2, four.a3): slow\033[0m',
    '\033[2mskipped 5 check(s) (five.b0, five.b1, five.b2, five.b3, ...): slower\033[0m',
    '\033[33msandbox: reduced isolation on this machine; active: no_new_privs (1)\033[0m',
]


def test_the_terminal_report_is_exactly_this():
    """Header words, alignment, colours, no highlighting, a student's brackets printed as typed."""
    assert _styled(_golden_result()).split("\n")[:-1] == GOLDEN_TERMINAL


def test_the_json_holds_exactly_the_documented_keys():
    result = GradeResult("hw1", "Homework 1", [ComponentResult(
        "relu", "ReLU", 0.5, 1.0, "partial", "half", [
            CheckResult("api", "api", True, 0.5, 0.5, "", "passed", description="callable"),
            CheckResult("grad", "gradient", False, 0.0, 0.5, "wrong", "failed", "x=1",
                        description="backward matches")])],
        load_problems=[{"type": "Skipped", "where": "cell 2", "message": "m"}],
        student_output="hi\n", timings={"checks": 1.5}, isolation=["seccomp"])
    check = {"kind": "gradient", "passed": False, "status": "failed", "hidden": False,
             "seconds": 0.0, "withheld_by": [], "counted": True, "example_is_smallest": True}
    assert report.to_json(result) == {
        "assignment": "hw1", "score": 0.5, "max_score": 1,
        "components": [{"name": "relu", "score": 0.5, "max_score": 1, "status": "partial",
                        "message": "half", "checks": [
                            {**check, "name": "api", "kind": "api", "passed": True,
                             "status": "passed", "points": 0.5, "max_points": 0.5,
                             "message": "", "example": "", "description": "callable"},
                            {**check, "name": "grad", "points": 0, "max_points": 0.5,
                             "message": "wrong", "example": "x=1",
                             "description": "backward matches"}]}],
        "load_problems": [{"type": "Skipped", "where": "cell 2", "message": "m"}],
        "student_output": "hi\n", "timings": {"checks": 1.5}, "isolation": ["seccomp"]}
