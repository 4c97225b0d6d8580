"""Which file `make test` and the CI grade: the one the student worked on (notebook or
module), read statically; the first line of the output names it."""
import os

import nbformat
import pytest

from conftest import REFERENCE, REPO
from grader import workfile

NAMES = {"softmax", "cross_entropy", "SGD", "relu", "MLPScratch"}
STUB = (REPO / "assignments/hw1/hw1.py").read_text()
SOFTMAX = ("def softmax(X):\n    e = (X - X.max(dim=1, keepdim=True).values).exp()\n"
           "    return e / e.sum(dim=1, keepdim=True)\n")
RELU = "def relu(X):\n    return X.clamp(min=0)\n"


def notebook(path, *cells, stub=True):
    """hw1's notebook (the stubs) with ``cells`` appended, as a student edits it."""
    book = nbformat.read(REPO / "assignments/hw1/hw1.ipynb", as_version=4) if stub \
        else nbformat.v4.new_notebook()
    book.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(book, path)
    return path


def folder_with(tmp_path, py=STUB, cells=(), py_newer=None):
    (tmp_path / "hw1.py").write_text(py)
    notebook(tmp_path / "hw1.ipynb", *cells)
    if py_newer is not None:
        older, newer = ("hw1.ipynb", "hw1.py") if py_newer else ("hw1.py", "hw1.ipynb")
        os.utime(tmp_path / older, (1_000_000_000, 1_000_000_000))
        os.utime(tmp_path / newer, (1_000_000_100, 1_000_000_100))
    return tmp_path


def chosen(folder):
    return workfile.choose(folder, "hw1", NAMES).path.name


def test_the_stubs_implement_nothing_and_the_reference_everything():
    assert workfile.implemented_names(REPO / "assignments/hw1/hw1.py", "hw1", NAMES) == ()
    assert workfile.implemented_names(REPO / "assignments/hw1/hw1.ipynb", "hw1", NAMES) == ()
    assert set(workfile.implemented_names(REFERENCE / "hw1.py", "hw1", NAMES)) == NAMES


def test_work_in_the_notebook_is_graded_even_when_the_stub_module_is_newer(tmp_path):
    folder = folder_with(tmp_path, cells=[SOFTMAX], py_newer=True)
    choice = workfile.choose(folder, "hw1", NAMES)
    assert choice.path.name == "hw1.ipynb" and choice.implemented == ("softmax",)
    assert choice.reason() == "it has 1 definition implemented; hw1.py has none"


def test_the_file_with_more_implementations_wins(tmp_path):
    folder = folder_with(tmp_path, py=STUB + "\n" + SOFTMAX + RELU, cells=[SOFTMAX],
                         py_newer=False)
    assert chosen(folder) == "hw1.py"


@pytest.mark.parametrize("py_newer, expected", [(True, "hw1.py"), (False, "hw1.ipynb")])
def test_a_tie_goes_to_the_newer_file(tmp_path, py_newer, expected):
    folder = folder_with(tmp_path, py=STUB + "\n" + SOFTMAX, cells=[SOFTMAX], py_newer=py_newer)
    assert chosen(folder) == expected
    assert "modified last" in workfile.choose(folder, "hw1", NAMES).reason()


@pytest.mark.parametrize("py_newer", [True, False, None])
def test_no_work_in_either_grades_the_module_without_a_reason(tmp_path, py_newer):
    folder = folder_with(tmp_path, py_newer=py_newer)
    choice = workfile.choose(folder, "hw1", NAMES)
    assert choice.path.name == "hw1.py" and choice.reason() == ""


def test_equal_times_grade_the_module(tmp_path):
    folder = folder_with(tmp_path, py=STUB + "\n" + SOFTMAX, cells=[SOFTMAX])
    stamp = (1_000_000_000, 1_000_000_000)
    os.utime(folder / "hw1.py", stamp)
    os.utime(folder / "hw1.ipynb", stamp)
    assert chosen(folder) == "hw1.py"


def test_one_file_alone_is_graded_and_no_file_gives_none(tmp_path):
    notebook(tmp_path / "hw1.ipynb", SOFTMAX)
    assert chosen(tmp_path) == "hw1.ipynb"
    assert workfile.choose(tmp_path / "missing", "hw1", NAMES) is None


@pytest.mark.parametrize("source, expected", [
    (SOFTMAX, {"softmax"}),
    ("def softmax(X):\n    '''doc'''\n    raise NotImplementedError('later')\n", set()),
    ("def softmax(X):\n    pass\n", set()),
    ("def softmax(X):\n    ...\n", set()),
    ("def helper(X):\n    return X\n", set()),
    ("softmax = lambda X: X.exp() / X.exp().sum(1, keepdim=True)\n", {"softmax"}),
    # a class counts when one of its methods is real
    ("class SGD:\n    def __init__(self, params, lr):\n        self.lr = lr\n"
     "    def step(self):\n        raise NotImplementedError\n", {"SGD"}),
    ("import torch\nclass MLPScratch(torch.nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        raise NotImplementedError\n", set()),
    # d2l style: methods added to the class later
    ("@d2l.add_to_class(MLPScratch)\ndef forward(self, X):\n    return X\n", {"MLPScratch"}),
    # does not parse: read line by line, so the work is still seen
    ("def softmax(X:\n    return X.exp()\n\ndef relu(X):\n    raise NotImplementedError\n",
     {"softmax"}),
])
def test_what_counts_as_implemented(tmp_path, source, expected):
    path = tmp_path / "hw1.py"
    path.write_text(source)
    assert set(workfile.implemented_names(path, "hw1", NAMES)) == expected


def test_an_unreadable_notebook_holds_no_visible_work(tmp_path):
    (tmp_path / "hw1.ipynb").write_text('{"cells": [')
    (tmp_path / "hw1.py").write_text(STUB)
    assert workfile.implemented_names(tmp_path / "hw1.ipynb", "hw1", NAMES) == ()
    assert chosen(tmp_path) in ("hw1.py", "hw1.ipynb")  # no crash; the grade says why
