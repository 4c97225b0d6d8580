"""Read a submission from disk into code chunks for a worker to execute.

A chunk is ``{"code", "filename", "label"}``: a ``.py`` file is one chunk, a
notebook one chunk per code cell.  Reading happens in the scoring process;
only the text goes to the worker, which never learns where it came from.
"""
import ast
import json
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


MAX_FILE_BYTES = 50 << 20   # a submission bigger than this is refused, not parsed


def _notebook_chunks(path: Path) -> list[dict]:
    """Code cells of a notebook (v3 or v4, Colab or Jupyter), outputs ignored."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UsageError(f"{path.name}: {path.stat().st_size >> 20} MiB is more than the "
                         f"{MAX_FILE_BYTES >> 20} MiB a submission may have; clear the outputs "
                         "(Edit > Clear all outputs) and submit again")
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
                         f"{exc})"[:500]) from None
    chunks = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            label = f"{path.name} cell {number}"
            chunks.append({"code": _without_magics(cell.source), "filename": label,
                           "label": label, "kind": "cell"})
    return chunks


PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


def _without_magics(source: str) -> str:
    """Turn IPython-only lines into ``pass``: shell escapes (``!pip``) and magics.

    ``pass`` at the same indentation keeps an ``if`` body valid.  Cell magics
    whose body is Python (``%%time``) keep the body; others drop the cell.
    """
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        if not lines[0].lstrip().startswith(PYTHON_CELL_MAGICS):
            return ""
        lines = [""] + lines[1:]
    return "\n".join(_neutral(line) for line in lines)


# The set-up cell of a released notebook imports the grader for grader.check();
# that import is not the student's code (and the tamper scan flags `import grader`).
NOTEBOOK_SETUP_LINES = ("import grader", "from grader import check")


def _neutral(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("!", "%")) or stripped.startswith(("get_ipython()",)) \
            or stripped.rstrip() in NOTEBOOK_SETUP_LINES:
        return line[:len(line) - len(stripped)] + "pass"
    return line


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
    if full or not any(chunk["kind"] == "cell" for chunk in chunks):
        return chunks, notes
    sliced, problems = extract.slice_chunks(chunks, names)
    return sliced, notes + problems
