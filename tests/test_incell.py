"""`grader.check()` inside a notebook: a real kernel (nbclient, ipykernel) runs a student
release's notebook, its set-up cell, a correct softmax and a wrong relu, and checks them;
plus the pieces without a kernel."""
import json
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest

from conftest import REPO as REPO_ROOT, run_grader
from grader import incell
from grader.errors import UsageError

SOFTMAX = ("def softmax(X):\n    e = (X - X.max(dim=1, keepdim=True).values).exp()\n"
           "    return e / e.sum(dim=1, keepdim=True)")
WRONG_RELU = "def relu(X):\n    return X  # forgot the max"
CHECKS = [
    'r = grader.check("softmax")\nprint("RESULT", r.score, r.max_score)',
    'r = grader.check("relu")\nprint("RESULT", r.score, r.max_score)',
    'r = grader.check()\nprint("RESULT", r.score, r.max_score, sorted(r.components))',
    'print("RESULT", grader.check("softmx"))',
]
# nbclient runs in a child process with the release's environment: no PYTHONPATH, so
# the set-up cell must find the release's grader by itself, as on a student's machine
RUN = """
import sys, nbformat
from nbclient import NotebookClient
book = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(book, timeout=900, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(book, sys.argv[1])
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from test_release import release_env
    release = tmp_path_factory.mktemp("incell") / "hw1-template"
    proc = run_grader("release", "--assignment", "hw1", "--out", release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = release / "assignments/hw1"
    path = folder / "hw1.ipynb"
    book = nbformat.read(path, as_version=4)
    book.cells += [nbformat.v4.new_code_cell(s) for s in [SOFTMAX, WRONG_RELU, *CHECKS]]
    nbformat.write(book, path)
    proc = subprocess.run([sys.executable, "-c", RUN, str(path), str(folder)],
                          env=release_env(), capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cells = nbformat.read(path, as_version=4).cells[-len(CHECKS):]
    return [_outputs(cell) for cell in cells]


def _outputs(cell) -> dict:
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    shown = [o.data for o in cell.outputs if o.output_type == "display_data"]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    return {"result": printed.split("RESULT ", 1)[-1].strip(), "shown": shown}


def test_a_correct_component_gets_its_public_points_shown_under_the_cell(executed):
    softmax = executed[0]
    assert softmax["result"] == "9 9"       # the release's public checks: 9 of softmax's 10
    (shown,) = softmax["shown"]             # one rich output: HTML and plain text
    assert "<table" not in shown["text/html"] and "<pre" in shown["text/html"]
    assert "softmax" in shown["text/plain"] and "9 / 9" in shown["text/plain"]
    assert "all checks pass" in shown["text/plain"]
    assert "GPU parity: not run here (0 points)" in shown["text/plain"]


def test_a_wrong_component_shows_the_failed_checks_with_the_failing_input(executed):
    relu = executed[1]
    assert relu["result"] == "1 6"   # the properties it keeps earn nothing without the values
    text = relu["shown"][0]["text/plain"]
    assert "relu.keeps_positives_zeroes_negatives" in text
    assert "smallest failing input: X=tensor([-1." in text
    assert "Traceback" not in text


def test_no_argument_checks_every_component(executed):
    score, max_score, names = executed[2]["result"].split(" ", 2)
    assert (score, max_score) == ("10", "42")   # softmax 9 + relu 1; the rest are stubs
    assert names == "['cross_entropy', 'mlp_scratch', 'relu', 'sgd', 'softmax']"
    assert "not implemented yet" in executed[2]["shown"][0]["text/plain"]


def test_an_unknown_component_is_explained_not_raised(executed):
    assert executed[3]["result"] == "None"
    text = executed[3]["shown"][0]["text/plain"]
    assert "no component 'softmx' to check; known: softmax" in text


# -- without a kernel -------------------------------------------------------------

def test_outside_a_notebook_it_says_where_to_call_it():
    with pytest.raises(RuntimeError, match="call it in a notebook cell.*make test"):
        incell.check("softmax")


def test_components_are_found_by_name_or_by_what_they_define():
    assert incell.target("softmax", None, []) == ("hw1", {"softmax"})
    assert incell.target("MLPScratch", None, []) == ("hw1", {"mlp_scratch"})
    assert incell.target("SGD", "hw1", []) == ("hw1", {"sgd"})
    assert incell.target("conv2d", None, []) == ("hw2", {"conv2d"})
    with pytest.raises(UsageError, match="no component 'softmx'"):
        incell.target("softmx", None, [])
    with pytest.raises(UsageError, match="unknown assignment 'hw9'"):
        incell.target(None, "hw9", [])


def test_with_no_argument_the_assignment_comes_from_what_the_kernel_defined():
    assert incell.target(None, None, ["def softmax(X):\n    pass", "def relu(X): pass"]) == \
        ("hw1", None)
    assert incell.target(None, None, ["def im2col(x):\n    pass"]) == ("hw2", None)
    with pytest.raises(UsageError, match="which assignment"):
        incell.target(None, None, ["x = 1"])


def test_the_kernel_history_is_read_in_order_without_cells_that_do_not_parse():
    shell = SimpleNamespace(user_ns={"In": ["", "import torch", "def f(:", "x = 1"]})
    assert incell.executed_cells(shell) == ["import torch", "", "x = 1"]


def test_a_result_rebuilt_from_json_renders_like_the_original(tmp_path):
    from grader import report
    from conftest import REFERENCE
    out = tmp_path / "r.json"
    run_grader("grade", REFERENCE / "hw1.py", "--assignment", "hw1", "--only", "relu",
               "--json", out)
    result = incell.result_from_json(json.loads(out.read_text()))
    assert report.to_json(result)["components"] == json.loads(out.read_text())["components"]
    assert (result.score, result.max_score) == (6, 6)


def test_import_grader_is_cheap():
    """A notebook's `import grader` loads neither torch nor the scoring code."""
    code = ("import sys, grader; heavy = {'torch', 'pytest', 'hypothesis', 'rich', 'numpy'}; "
            "print(sorted(heavy & set(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr
