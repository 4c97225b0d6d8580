"""What runs on a Dask worker (see :mod:`grader.instructor.cluster`): grade shipped bytes.

Imports nothing heavy at module level: the scheduler unpickles tasks that
name these functions, so it needs only this checkout on its path.
"""
import hashlib
import shutil
import tempfile
import threading
from importlib import metadata
from pathlib import Path

from grader.errors import UsageError

MACHINE_FOLDER = "grader-dask"  # under the worker's temp dir: hidden from student code
_here = threading.local()       # this worker thread's scorer pool (grader.instructor.scorers)


def grade_shipped(name: str, data: bytes, assignment: str, full: bool, hide: list,
                  expected: dict, recycle_after: int, stall_after: float | None) -> dict:
    """Grade a submission sent as bytes: write it into a fresh folder, grade, delete.

    The folder holding every in-flight submission of this machine, and Dask's
    scratch space (results spilled to disk), are hidden from student code, as
    the local mode hides the source and output folders.  Grading happens in a
    scorer process of this worker's own pool, as in a local batch: recycled
    after ``recycle_after`` submissions, killed when silent ``stall_after`` s,
    so a stuck submission never holds the Dask worker.
    """
    from distributed import get_worker
    check_here(expected)   # also for workers that joined after the batch started
    worker = get_worker()
    machine = Path(tempfile.gettempdir()) / MACHINE_FOLDER
    machine.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=machine))
    try:
        path = folder / Path(name).name
        path.write_bytes(data)
        scratch = Path(worker.local_directory).parent
        args = (str(path), assignment, full, [*hide, str(machine), str(scratch)])
        rows = []
        _pool(assignment, recycle_after, stall_after).grade(
            [name], lambda _: args, lambda _, row: rows.append(row))
        row = rows[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row["worker"] = worker.address   # where it ran (not stored in the gradebook)
    return row


def _pool(assignment: str, recycle_after: int, stall_after: float | None):
    """This thread's one-scorer pool, kept between tasks (its host holds the checks)."""
    from grader import spawner
    from grader.instructor import scorers
    key = (assignment, recycle_after, stall_after)
    if getattr(_here, "key", None) != key:
        if getattr(_here, "pool", None) is not None:
            _here.pool.close()
        _here.pool = scorers.ScorerPool(1, assignment, spawner.start(), recycle_after,
                                        stall_after, note=lambda message: None)
        _here.key = key
    return _here.pool


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
    root = Path(__file__).resolve().parents[1]   # all of grader/, not only this folder
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".ini") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    versions = {name: metadata.version(name).split("+")[0]
                for name in ("torch", "hypothesis", "numpy", "pytest")}
    return {"grader code": digest.hexdigest(), **versions}
