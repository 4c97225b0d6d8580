"""What runs on a Dask worker (see :mod:`grader.cluster`): grade shipped bytes.

Imports nothing heavy at module level: the scheduler unpickles tasks that
name these functions, so it needs only this checkout on its path.
"""
import hashlib
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from grader.errors import UsageError

MACHINE_FOLDER = "grader-dask"  # under the worker's temp dir: hidden from student code


def grade_shipped(name: str, data: bytes, assignment: str, full: bool, hide: list,
                  expected: dict) -> dict:
    """Grade a submission sent as bytes: write it into a fresh folder, grade, delete.

    The folder holding every in-flight submission of this machine, and Dask's
    scratch space (results spilled to disk), are hidden from student code, as
    the local mode hides the source and output folders.
    """
    from distributed import get_worker
    from grader.batch import grade_file
    check_here(expected)   # also for workers that joined after the batch started
    worker = get_worker()
    machine = Path(tempfile.gettempdir()) / MACHINE_FOLDER
    machine.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=machine))
    try:
        path = folder / Path(name).name
        path.write_bytes(data)
        scratch = Path(worker.local_directory).parent
        row = grade_file(str(path), assignment, full, [*hide, str(machine), str(scratch)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row["worker"] = worker.address   # where it ran (not stored in the gradebook)
    return row


def importable() -> bool:
    """Run on the scheduler: unpickling it proves the scheduler can import the grader."""
    return True


def check_here(expected: dict) -> None:
    """Refuse to grade where grading cannot work, or would not match ``expected``."""
    mine = fingerprint()
    differ = sorted(key for key in expected if mine.get(key) != expected[key])
    if differ:
        raise UsageError(f"worker {_where()}: its {', '.join(differ)} differ from the machine "
                         "running grader batch, so grades could differ; install the same "
                         "checkout and requirements on every machine")


def _where() -> str:
    from distributed import get_worker
    try:
        return get_worker().address
    except ValueError:
        return "?"


def fingerprint() -> dict:
    """What decides a grade: the grader's code and checks, and the pinned libraries."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".ini") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    versions = {name: metadata.version(name).split("+")[0]
                for name in ("torch", "hypothesis", "numpy", "pytest")}
    return {"grader code": digest.hexdigest(), **versions}
