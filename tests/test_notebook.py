"""Tests for grader.instructor.notebook: the assignment notebooks are built from the .py files."""
import ast
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grader.instructor.notebook import build_notebook, cells_from_percent, main, render, write_notebook  # noqa: E402

SOURCES = [ROOT / "assignments" / "hw1" / "hw1.py", ROOT / "assignments" / "hw2" / "hw2.py"]

EXAMPLE = """\
# %% [markdown]
# # Title
#
# Some *text*.
#no space

# %%
import torch


# %%

# %% [markdown]
# ## Task

# %%
def f(x):

    return x
"""


def top_level_names(source):
    """Names bound at module level by defs, classes, imports and assignments."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def test_committed_notebooks_are_up_to_date():
    assert main(["--check", *map(str, SOURCES)]) == 0


def test_check_reports_stale_notebook(tmp_path, capsys):
    py = tmp_path / "hw.py"
    py.write_text(EXAMPLE)
    write_notebook(py)
    assert main(["--check", str(py)]) == 0
    py.write_text(EXAMPLE + "\n# %%\nx = 1\n")
    assert main(["--check", str(py)]) == 1
    out = capsys.readouterr().out
    assert "hw.ipynb" in out and f"python -m grader.instructor.notebook {py}" in out


def test_check_reports_missing_notebook(tmp_path):
    py = tmp_path / "hw.py"
    py.write_text(EXAMPLE)
    assert main(["--check", str(py)]) == 1


def test_cell_split_and_comment_stripping():
    cells = cells_from_percent(EXAMPLE)
    assert [c.cell_type for c in cells] == ["markdown", "code", "markdown", "code"]
    assert cells[0].source == "# Title\n\nSome *text*.\nno space"
    assert cells[1].source == "import torch"
    assert cells[2].source == "## Task"
    assert cells[3].source == "def f(x):\n\n    return x"


def test_text_before_first_marker_is_a_code_cell():
    cells = cells_from_percent("import os\n\n# %% [markdown]\n# hi\n")
    assert [(c.cell_type, c.source) for c in cells] == [("code", "import os"), ("markdown", "hi")]


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_ids_are_deterministic_and_there_are_no_outputs(py):
    nb = build_notebook(py)
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert render(py) == render(py)
    assert render(py).endswith("\n")


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_notebook_validates(py):
    nb = build_notebook(py)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.language_info.name == "python"
    nbformat.validate(nbformat.read(py.with_suffix(".ipynb"), as_version=4))


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_code_cells_define_the_same_names_as_the_module(py):
    nb = build_notebook(py)
    code = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = top_level_names(py.read_text())
    assert names and top_level_names(code) == names
    assert all(c.cell_type in ("code", "markdown") for c in nb.cells)
    assert any(c.cell_type == "markdown" for c in nb.cells)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "# %%" not in markdown and "# %%" not in code
