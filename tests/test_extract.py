"""Notebook extraction keeps every statement that extends a class the assignment asks for."""
import pytest

from grader import extract

CLASS = '''import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(n, n))
'''


def kept(*cells) -> str:
    chunks = [{"code": code, "label": f"cell {i}", "filename": f"cell{i}"}
              for i, code in enumerate(cells)]
    sliced, _ = extract.slice_chunks(chunks, {"MLPScratch"})
    return "\n".join(chunk["code"] for chunk in sliced)


@pytest.mark.parametrize("extension, marker", [
    ("def forward(self, X):\n    return scale(X @ self.W)\n\n\ndef scale(X):\n    return X\n\n\n"
     "setattr(MLPScratch, 'forward', forward)", "setattr(MLPScratch"),
    ("def forward(self, X):\n    return X @ self.W\n\n\nMLPScratch.forward = forward",
     "MLPScratch.forward = forward"),
    ("@d2l.add_to_class(MLPScratch)\ndef forward(self, X):\n    return X @ self.W",
     "@d2l.add_to_class(MLPScratch)"),
    ("def forward(self, X):\n    return X @ self.W\n\n\nd2l.add_to_class(MLPScratch)(forward)",
     "d2l.add_to_class(MLPScratch)(forward)"),
])
def test_statements_extending_the_class_are_kept_with_what_they_use(extension, marker):
    text = kept("from d2l import torch as d2l", CLASS, extension)
    assert marker in text and "def forward" in text
    if "scale(" in extension:
        assert "def scale" in text


def test_unrelated_calls_with_the_class_are_not_run():
    text = kept(CLASS, "train(MLPScratch(3))\nprint(MLPScratch(2))")
    assert "train(" not in text and "print(" not in text


def chunk_list(*cells):
    return [{"code": code, "label": f"cell {i}", "filename": f"cell{i}"}
            for i, code in enumerate(cells, start=1)]


def test_dropped_lines_become_blank_lines_so_line_numbers_hold():
    chunks = chunk_list("train()\ndef softmax(X):\n    return X\nplot()\n", "print(1)")
    sliced, problems = extract.slice_chunks(chunks, {"softmax"})
    assert sliced == [{"code": "\ndef softmax(X):\n    return X\n", "label": "cell 1",
                       "filename": "cell1"}]
    assert problems == [{"where": "cell 1, cell 2", "type": "Skipped",
                         "message": "3 top-level statement(s) not needed for grading were not "
                                    "run (training loops, plots, downloads, tests)"}]


def test_nothing_skipped_reports_nothing():
    chunks = chunk_list("def softmax(X):\n    return X")
    assert extract.slice_chunks(chunks, {"softmax"}) == (chunks, [])


@pytest.mark.parametrize("cells, where", [
    (6, "cell 2, cell 3, cell 4, cell 5, cell 6, cell 7"),
    (7, "cell 2, cell 3, cell 4, cell 5, cell 6, cell 7 ...")])
def test_the_skipped_report_names_at_most_six_cells(cells, where):
    chunks = chunk_list("def softmax(X):\n    return X", *["train()"] * cells)
    [problem] = extract.slice_chunks(chunks, {"softmax"})[1]
    assert problem["where"] == where and problem["message"].startswith(f"{cells} top-level")


def test_a_cell_that_does_not_parse_is_reported_and_skipped():
    chunks = chunk_list("def softmax(X):\n    return X", "x = (\n")
    sliced, problems = extract.slice_chunks(chunks, {"softmax"})
    assert [c["label"] for c in sliced] == ["cell 1"]
    assert problems[0]["where"] == "cell 2 line 1" and problems[0]["type"] == "SyntaxError"


def roots_keep(roots, *cells) -> list[str]:
    """The source lines kept, in order."""
    sliced, _ = extract.slice_chunks(chunk_list(*cells), roots)
    return [line for chunk in sliced for line in chunk["code"].splitlines() if line]


def test_what_every_root_uses_is_kept_not_only_the_last_ones():
    assert roots_keep({"softmax", "relu"}, "def softmax(X):\n    return helper_a(X)",
                      "def relu(X):\n    return helper_b(X)", "helper_a = abs", "helper_b = abs",
                      "unused = 1") == ["def softmax(X):", "    return helper_a(X)",
                                        "def relu(X):", "    return helper_b(X)",
                                        "helper_a = abs", "helper_b = abs"]


def test_names_used_at_top_level_of_a_def_are_kept_with_those_in_its_body():
    assert roots_keep({"softmax"}, "T = 2.0", "H = abs",
                      "def softmax(X, t=T):\n    return H(X) / t") == [
        "T = 2.0", "H = abs", "def softmax(X, t=T):", "    return H(X) / t"]


def test_a_name_only_assigned_as_a_global_inside_a_def_pulls_in_nothing():
    assert roots_keep({"softmax"}, "calls = train()",
                      "def softmax(X):\n    global calls\n    calls = 1\n    return X") == [
        "def softmax(X):", "    global calls", "    calls = 1", "    return X"]


def test_a_closure_variable_is_not_a_module_name():
    assert roots_keep({"softmax"}, "scale = train()",
                      "def softmax(X):\n    scale = 2\n    def inner():\n        return scale\n"
                      "    return X * inner()")[0] == "def softmax(X):"


def test_a_class_body_keeps_module_names_but_not_its_own():
    kept = roots_keep({"Net"}, "n = train()", "helper = abs",
                      "class Net:\n    n = 1\n    act = helper\n    size = n")
    assert kept[0] == "helper = abs" and "n = train()" not in kept


def test_a_class_inside_a_def_counts_names_of_the_enclosing_def_as_used():
    """Conservative: a class body's free names are kept like module names (keeping an
    unneeded statement costs time; dropping a needed one costs points)."""
    assert roots_keep({"softmax"}, "k = 3",
                      "def softmax(X):\n    k = 2\n    class Scaled:\n        factor = k\n"
                      "    return X * Scaled.factor")[0] == "k = 3"


@pytest.mark.parametrize("extension", [
    "MLPScratch.calls += 1", "MLPScratch.lr: float = 0.1",
    "add_to_class(MLPScratch)(forward)",
    "@d2l.add_to_class(MLPScratch)\n@functools.wraps(other)\ndef forward(self, X):\n    return X"])
def test_every_way_of_extending_a_kept_class_is_kept(extension):
    assert extension.splitlines()[0] in roots_keep({"MLPScratch"}, CLASS, extension)


def test_a_call_of_a_call_result_is_not_an_extension():
    assert roots_keep({"MLPScratch"}, CLASS, "make()(MLPScratch)(forward)") == \
        [line for line in CLASS.splitlines() if line]


def test_names_used_by_nested_defs_are_kept_with_those_of_the_outer_one():
    kept = roots_keep({"softmax"}, "A = abs", "B = 1", "C = 2",
                      "def softmax(X):\n    def inner():\n        def deeper():\n"
                      "            return C\n        return B + deeper()\n    return A(X) * inner()")
    assert kept[:3] == ["A = abs", "B = 1", "C = 2"]


def test_a_cell_that_does_not_parse_leaves_the_later_cells_in():
    chunks = chunk_list("def softmax(X):\n    return helper(X)", "x = (\n", "helper = abs")
    sliced, problems = extract.slice_chunks(chunks, {"softmax"})
    assert [c["label"] for c in sliced] == ["cell 1", "cell 3"]
    assert problems == [{"where": "cell 2 line 1", "type": "SyntaxError",
                         "message": "'(' was never closed; cell skipped"}]
