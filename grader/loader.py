"""Read a submission from disk into code chunks for a worker to execute.

A chunk is ``{"code", "filename", "label"}``: a ``.py`` file is one chunk, a
notebook one chunk per code cell.  Reading happens in the scoring process;
only the text goes to the worker, which never learns where it came from.
"""
import ast
import json
from pathlib import Path

import nbformat

from grader import config, extract, magics
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
        _check_size(path, "a Python file that size is not a homework solution")
        return [{"code": _read_text(path), "filename": path.name, "label": path.name,
                 "kind": "file"}]
    raise UsageError(f"{path}: expected a .py file, a .ipynb notebook or a folder")


def _check_size(path: Path, advice: str) -> None:
    """Refuse, without reading it, a file larger than any submission should be."""
    size = path.stat().st_size
    if size > config.MAX_SUBMISSION_BYTES:
        raise UsageError(f"{path.name}: {size >> 20} MiB is more than the "
                         f"{config.MAX_SUBMISSION_BYTES >> 20} MiB a submission may have; "
                         f"{advice}")


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
    """Code cells of a notebook (v3 or v4, Colab or Jupyter), outputs ignored."""
    _check_size(path, "clear the outputs (Edit > Clear all outputs) and submit again")
    text = _read_text(path)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if _is_python(text):  # a .py file renamed .ipynb: grade it as what it is
            return [{"code": text, "filename": path.name, "label": path.name, "kind": "file",
                     "note": "this .ipynb file is Python source, not a notebook; graded as a .py file"}]
        raise UsageError(f"{path.name} is not a valid notebook: invalid JSON at line {exc.lineno} "
                         f"({exc.msg}); download it again with File > Download .ipynb") from None
    try:
        notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds
        raise UsageError(f"{path.name} is not a readable notebook ({type(exc).__name__}: "
                         f"{exc})"[:config.MESSAGE_CHARS]) from None
    chunks = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            chunks += magics.cell_chunks(cell.source, f"{path.name} cell {number}")
    return chunks


def _is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return bool(text.strip())


def load_submission(path: Path, assignment: str, names: set[str],
                    full: bool = False) -> tuple[list[dict], list[dict]]:
    """Chunks to run in the worker, and problems found while reading.

    Notebooks are cut down to the definitions of ``names`` and what they use
    (see :mod:`grader.extract`) unless ``full`` is set; ``.py`` files run whole.
    """
    chunks = load_chunks(path, assignment)
    notes = [{"where": c["label"], "type": "NotANotebook", "message": c["note"]}
             for c in chunks if c.get("note")]
    if not chunks:
        notes.append({"where": Path(path).name, "type": "Empty",
                      "message": "the submission has no code cells"})
    files = [chunk for chunk in chunks if chunk["kind"] == magics.WRITEFILE]
    chunks = [chunk for chunk in chunks if chunk["kind"] != magics.WRITEFILE]
    problems = []
    if not full and any(chunk["kind"] == "cell" for chunk in chunks):
        chunks, problems = extract.slice_chunks(chunks, names)
    # %%writefile cells first: the files exist before any cell imports them
    chunks = files + chunks
    if magics.uses_shell(chunks):
        chunks = [magics.stand_in_chunk(), *chunks]
    return chunks, notes + problems
