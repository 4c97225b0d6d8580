"""Read a submission from disk into code chunks for a worker to execute.

A chunk is ``{"code", "filename", "label"}``: a ``.py`` file is one chunk, a
notebook one chunk per code cell.  Reading happens in the scoring process;
only the text goes to the worker, which never learns where it came from.
"""
from pathlib import Path

import nbformat

from grader import extract
from grader.errors import UsageError


def load_chunks(path: Path, assignment: str) -> list[dict]:
    """Every code chunk of the submission, unfiltered."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path} does not exist; give a .py file, a notebook or a folder")
    if path.is_dir():
        return [chunk for file in _files_in(path, assignment) for chunk in load_chunks(file, assignment)]
    if path.suffix == ".ipynb":
        return _notebook_chunks(path)
    if path.suffix == ".py":
        return [{"code": _read_text(path), "filename": path.name, "label": path.name,
                 "kind": "file"}]
    raise UsageError(f"{path}: expected a .py file, a .ipynb notebook or a folder")


def _files_in(folder: Path, assignment: str) -> list[Path]:
    """The assignment's module if present (``hw1.py``), else every .py file."""
    for name in (f"{assignment}.py", f"{assignment}.ipynb"):
        if (folder / name).is_file():
            return [folder / name]
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("test_"))
    if not files:
        raise UsageError(f"{folder} holds no {assignment}.py and no other .py file to grade")
    return files


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _notebook_chunks(path: Path) -> list[dict]:
    try:
        notebook = nbformat.reads(_read_text(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds
        raise UsageError(f"{path}: not a readable notebook ({type(exc).__name__}: {exc})") from None
    chunks = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") == "code":
            label = f"{path.name} cell {number}"
            chunks.append({"code": _without_magics(cell.source), "filename": label,
                           "label": label, "kind": "cell"})
    return chunks


def _without_magics(source: str) -> str:
    """Blank out shell escapes and magics (``!pip``, ``%matplotlib``): not Python."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in lines)


def load_submission(path: Path, assignment: str, names: set[str],
                    full: bool = False) -> tuple[list[dict], list[dict]]:
    """Chunks to run in the worker, and problems found while reading.

    Notebooks are cut down to the definitions of ``names`` and what they use
    (see :mod:`grader.extract`) unless ``full`` is set; ``.py`` files run whole.
    """
    chunks = load_chunks(path, assignment)
    if full or not any(chunk["kind"] == "cell" for chunk in chunks):
        return chunks, []
    return extract.slice_chunks(chunks, names)
