"""``python -m grader gradescope-zip``: the autograder zip Gradescope expects.

At the zip's root Gradescope wants ``setup.sh`` (run once, as root, to build
the image) and ``run_autograder`` (run per submission); it unpacks the rest
into ``/autograder/source``.  The zip holds:

    setup.sh, run_autograder   from grader/instructor/gradescope_template/
    requirements.txt           the pinned requirements of grading (requirements-student.txt)
    grader/                    the engine with this assignment's checks, hidden
                               ones included (Gradescope is the grade of record)

``setup.sh`` finds or installs a Python 3.11+, makes ``/autograder/venv``
with the CPU build of torch; ``run_autograder`` runs ``grader gradescope``,
which grades ``/autograder/submission`` and writes
``/autograder/results/results.json``.
"""
import stat
import zipfile
from pathlib import Path

from grader import config
from grader.install import CPU_INDEX
from grader.errors import UsageError

TEMPLATES = Path(__file__).resolve().parent / "gradescope_template"
SCRIPTS = ("setup.sh", "run_autograder")
JUNK = ("__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints")


def build(assignment: str, out: Path) -> list[str]:
    """Write the zip; returns the names it holds."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"--out {out}: give a file name ending in .zip")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    values = {"@TORCH@": _pinned_torch(), "@CPU_INDEX@": CPU_INDEX, "@ASSIGNMENT@": assignment}
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for script in SCRIPTS:
            text = (TEMPLATES / script).read_text()
            for key, value in values.items():
                text = text.replace(key, value)
            _add(archive, script, text.encode(), executable=True)
            names.append(script)
        _add(archive, "requirements.txt", _requirements())
        names.append("requirements.txt")
        for path in _engine_files(assignment):
            name = path.relative_to(config.REPO_ROOT).as_posix()
            _add(archive, name, path.read_bytes())
            names.append(name)
    return names


def _engine_files(assignment: str):
    engine = config.REPO_ROOT / "grader"
    for path in sorted(engine.rglob("*")):
        parts = path.relative_to(engine).parts
        if not path.is_file() or path.suffix == ".pyc" or any(part in JUNK for part in parts):
            continue
        if parts[0] == "checks" and len(parts) > 2 and parts[1] != assignment:
            continue   # other assignments' checks
        yield path


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))   # reproducible bytes
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _requirements() -> bytes:
    """What grading needs (the student side's pins), as one file: Gradescope runs no
    batch, no Dask and no harness tests."""
    return (config.REPO_ROOT / "requirements-student.txt").read_bytes()


def _pinned_torch() -> str:
    for line in (config.REPO_ROOT / "Makefile").read_text().splitlines():
        if line.replace(" ", "").startswith("TORCH?="):
            return line.split("=", 1)[1].strip()
    raise UsageError("the Makefile has no TORCH ?= line to take the pinned torch from")

