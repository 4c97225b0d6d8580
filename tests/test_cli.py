"""The commands users run: exit codes, the JSON schema, messages without our tracebacks."""
import json

import pytest

from conftest import REPO, run_grader

D2L_SOFTMAX = '''
import torch
def softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)
'''

CHECK_KEYS = {"name", "kind", "passed", "points", "max_points", "message"}


def test_reference_gets_full_marks_on_both_assignments(tmp_path):
    out = tmp_path / "all.json"
    proc = run_grader("test", "--impl", "reference", "--json", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    assert [r["assignment"] for r in results] == ["hw1", "hw2"]
    for result in results:
        assert result["score"] == result["max_score"] > 0
        for component in result["components"]:
            assert {"name", "score", "max_score", "checks"} <= set(component)
            for check in component["checks"]:
                assert CHECK_KEYS <= set(check)
                assert check["passed"] or check["status"] == "skipped", check


def test_stubs_score_zero_as_not_implemented(tmp_path):
    out = tmp_path / "stubs.json"
    proc = run_grader("test", "--impl", "assignments", "--json", out)
    assert proc.returncode == 1
    for result in json.loads(out.read_text()):
        assert result["score"] == 0
        assert {c["status"] for c in result["components"]} == {"not_implemented"}
    assert "not implemented yet" in proc.stdout


def test_feedback_names_the_property_the_input_and_a_hint(tmp_path, grade):
    path = tmp_path / "student.py"
    path.write_text(D2L_SOFTMAX)
    result, proc = grade(path, "hw1", "--only", "softmax")
    (component,) = result["components"]
    failed = [c for c in component["checks"] if not c["passed"] and c["status"] != "skipped"]
    assert [c["name"] for c in failed] == ["numerically_stable"]
    assert component["score"] == component["max_score"] - failed[0]["max_points"]
    assert "inf or NaN" in failed[0]["message"] and "Hint" in failed[0]["message"]
    assert "X=tensor(" in failed[0]["example"]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1


def test_a_file_that_does_not_parse_scores_zero_with_the_reason(tmp_path, grade):
    path = tmp_path / "broken.py"
    path.write_text("def softmax(X:\n    return X\n")
    result, proc = grade(path, "hw1", "--only", "softmax")
    assert result["score"] == 0
    assert result["load_problems"][0]["type"] == "SyntaxError"
    assert "SyntaxError" in proc.stdout


@pytest.mark.parametrize("args, words", [
    (["grade", "nowhere.py", "--assignment", "hw1"], "does not exist"),
    (["grade", "requirements.txt", "--assignment", "hw1"], "expected a .py file"),
    (["grade", "reference/hw1.py", "--assignment", "hw1", "--only", "softmaxx"], "unknown component"),
])
def test_bad_input_gets_a_clear_error_and_exit_2(args, words):
    proc = run_grader(*args, cwd=REPO)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_student_output_is_reported_as_student_output(tmp_path, grade):
    path = tmp_path / "chatty.py"
    path.write_text('print("{\\"score\\": 100}")\n' + D2L_SOFTMAX)
    result, proc = grade(path, "hw1", "--only", "softmax")
    assert result["score"] < result["max_score"]
    assert '{"score": 100}' in result["student_output"]


def test_gpu_parity_is_listed_as_skipped_with_the_reason_without_cuda(tmp_path, grade):
    import torch
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: parity runs (tests/gpu)")
    result, proc = grade(REPO / "reference" / "hw1.py", "hw1", "--only", "softmax,relu")
    for component in result["components"]:
        check = next(c for c in component["checks"] if c["name"] == "gpu_parity")
        assert check["status"] == "skipped" and "no CUDA device" in check["message"]
        assert check["max_points"] == 0
    assert result["score"] == result["max_score"]
    # in the terminal, one short line (the JSON keeps the reason)
    assert "GPU parity: not run here (0 points)" in proc.stdout
    assert "skipped" not in proc.stdout and "gpu_parity" not in proc.stdout


def test_make_test_names_the_file_it_grades_first(tmp_path):
    proc = run_grader("test", "--impl", "reference", "--assignment", "hw1", cwd=REPO)
    assert proc.stdout.splitlines()[0] == "grading reference/hw1.py"
    proc = run_grader("test", "--assignment", "hw1", cwd=REPO)
    assert proc.stdout.splitlines()[0] == "grading assignments/hw1/hw1.py"  # stubs: the module


def test_a_folder_is_graded_from_the_notebook_when_the_work_is_there(tmp_path):
    from test_workfile import SOFTMAX, STUB, notebook
    folder = tmp_path / "hw1"
    folder.mkdir()
    (folder / "hw1.py").write_text(STUB)
    notebook(folder / "hw1.ipynb", SOFTMAX)
    out = tmp_path / "r.json"
    proc = run_grader("grade", folder, "--assignment", "hw1", "--only", "softmax,relu",
                      "--json", out, cwd=tmp_path)
    assert proc.stdout.startswith("grading hw1/hw1.ipynb (it has 1 definition implemented; "
                                  "hw1.py has none)"), proc.stdout
    scores = {c["name"]: c["score"] for c in json.loads(out.read_text())["components"]}
    assert scores["softmax"] == 10 and scores["relu"] == 0


def _before_table(stdout: str) -> str:
    return stdout[:stdout.index("┏")]


def test_a_syntax_error_is_shown_first_with_its_line_and_a_caret(tmp_path, grade):
    path = tmp_path / "hw1.py"
    path.write_text("import torch\n\ndef softmax(X):\n    return (X.exp()\n\n"
                    "def relu(X):\n    return X.clamp(min=0)\n")
    result, proc = grade(path, "hw1", "--only", "softmax,relu")
    head = _before_table(proc.stdout)
    assert "error while loading your code, hw1.py line 4:" in head
    assert "\n        return (X.exp()\n" in head
    caret = head.split("return (X.exp()\n")[1].splitlines()[0]
    assert caret == " " * 15 + "^"     # under the "(" that is never closed
    assert "SyntaxError: '(' was never closed" in head
    for component in result["components"]:  # nothing of the file loaded
        assert component["status"] == "not_implemented"
        assert component["message"] == "not loaded: see the error above"
    assert proc.stdout.count("not loaded: see the error above") == 2
    (problem,) = result["load_problems"]
    assert (problem["line"], problem["column"]) == (4, 12)


def test_a_top_level_import_error_is_shown_first_and_blocks_nothing_else(tmp_path, grade):
    path = tmp_path / "hw1.py"
    path.write_text("import torch\nimport torchvisionx\n\ndef relu(X):\n"
                    "    return X.clamp(min=0)\n")
    result, proc = grade(path, "hw1", "--only", "relu,softmax")
    head = _before_table(proc.stdout)
    assert "error while loading your code, hw1.py line 2:" in head
    assert "    import torchvisionx\n    ^^^^^^^^^^^^^^^^^^^\n" in head
    assert "ModuleNotFoundError: No module named 'torchvisionx'" in head
    status = {c["name"]: (c["status"], c["message"]) for c in result["components"]}
    assert status["relu"] == ("full", "")
    # softmax is not in the file at all: not implemented, not blocked by the import
    assert status["softmax"] == ("not_implemented", "not implemented yet")


def test_a_broken_notebook_cell_is_shown_first_and_blocks_only_its_definitions(tmp_path, grade):
    from test_workfile import RELU, notebook
    path = notebook(tmp_path / "hw1.ipynb", "import torch", "def softmax(X):\n    return X.exp(",
                    RELU, stub=False)
    result, proc = grade(path, "hw1", "--only", "relu,softmax")
    head = _before_table(proc.stdout)
    assert "error while loading your code, hw1.ipynb cell 2 line 2:" in head
    assert "SyntaxError" in head
    status = {c["name"]: (c["status"], c["message"]) for c in result["components"]}
    assert status["softmax"] == ("not_implemented", "not loaded: see the error above")
    assert status["relu"] == ("full", "")
