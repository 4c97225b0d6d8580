"""Build Jupyter notebooks from percent-format ("# %%") Python files.

Each assignment has one source of truth, assignments/hwN/hwN.py: it imports as
a plain module (what the grader tests) and its "# %% [markdown]" / "# %%" cells
are the notebook students open. The .ipynb is generated, never edited, and
built deterministically (fixed cell ids, no outputs) so that rebuilding gives
byte-identical files and `--check` can catch a notebook that is out of date.

    python -m grader.instructor.notebook assignments/hw1/hw1.py [more.py ...]
    python -m grader.instructor.notebook --check assignments/hw1/hw1.py
"""
import argparse
import sys
from pathlib import Path

import nbformat
from nbformat import v4

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def _strip_blank_edges(lines):
    """Drop blank lines at the start and end of a cell."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _uncomment(line):
    """Turn a '# text' markdown line back into 'text' ('#' alone -> '')."""
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def _make_cell(header, lines):
    """One notebook cell from its '# %%' header line and body lines, or None if empty."""
    is_markdown = header is not None and "[markdown]" in header
    if is_markdown:
        lines = [_uncomment(line) for line in lines]
    lines = _strip_blank_edges(lines)
    if not lines:
        return None
    make = v4.new_markdown_cell if is_markdown else v4.new_code_cell
    return make("\n".join(lines))


def cells_from_percent(source: str) -> list:
    """Split percent-format source into markdown and code cells (empty ones dropped)."""
    chunks, header, lines = [], None, []
    for line in source.splitlines():
        if line.startswith("# %%"):
            chunks.append((header, lines))
            header, lines = line, []
        else:
            lines.append(line)
    chunks.append((header, lines))
    cells = (_make_cell(h, body) for h, body in chunks)
    return [cell for cell in cells if cell is not None]


def build_notebook(py_path) -> nbformat.NotebookNode:
    """An nbformat 4.5 notebook for py_path with fixed cell ids and no outputs."""
    nb = v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    nb.cells = cells_from_percent(Path(py_path).read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # random ids by default; fixed ids keep rebuilds identical
    return nb


def render(py_path) -> str:
    """The exact text of the notebook file built from py_path (newline-terminated)."""
    text = nbformat.writes(build_notebook(py_path))
    return text if text.endswith("\n") else text + "\n"


def notebook_path(py_path) -> Path:
    """Where the notebook for py_path lives: same folder, same stem."""
    return Path(py_path).with_suffix(".ipynb")


def write_notebook(py_path, ipynb_path=None) -> Path:
    """Build the notebook for py_path and write it (next to it by default)."""
    path = Path(ipynb_path) if ipynb_path is not None else notebook_path(py_path)
    path.write_text(render(py_path), encoding="utf-8", newline="\n")
    return path


def is_stale(py_path) -> bool:
    """True if the committed notebook is missing or differs from a fresh build."""
    path = notebook_path(py_path)
    return not path.exists() or path.read_text(encoding="utf-8") != render(py_path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.instructor.notebook", description=__doc__.splitlines()[0])
    parser.add_argument("py_files", nargs="+", help="percent-format .py files")
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    if not args.check:
        for py in args.py_files:
            print(f"wrote {write_notebook(py)}")
        return 0
    stale = [py for py in args.py_files if is_stale(py)]
    for py in stale:
        print(f"{notebook_path(py)} is out of date with {py}; "
              f"rebuild it with: python -m grader.instructor.notebook {py}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
