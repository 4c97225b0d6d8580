"""Find the submissions of a batch: a folder or an LMS zip, one file per student.

Student ids come from file names.  LMS downloads prefix files with the
student (Canvas: ``lastfirst_12345_67890_hw1.ipynb``, ``..._LATE_...``);
``--id-pattern`` takes a regular expression whose ``id`` group is the id; by
default a Canvas-style name gives ``lastfirst_12345`` (login and user id,
without ``_late``), and any other name its whole stem.
"""
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import UsageError

SUFFIXES = (".ipynb", ".py")
CANVAS_NAME = re.compile(r"^(?P<login>[^_]+)(?:_late)?_(?P<user>\d+)_\d+_", re.IGNORECASE)
MAX_ZIP_BYTES = 2 << 30          # refuse zip bombs: total uncompressed size
MAX_SUBMISSION_BYTES = 50 << 20  # a notebook larger than this is not graded


@dataclass(frozen=True)
class Submission:
    student_id: str
    path: Path
    sha256: str


def discover(source: Path, workdir: Path, id_pattern: str | None = None) -> list[Submission]:
    """Every gradable file in ``source`` (a folder or a zip), one per student."""
    source = Path(source)
    if not source.exists():
        raise UsageError(f"{source} does not exist; give a folder or a .zip of submissions")
    folder = _unzip(source, workdir / "unzipped") if source.suffix == ".zip" else source
    if not folder.is_dir():
        raise UsageError(f"{source}: expected a folder or a .zip file")
    try:
        pattern = re.compile(id_pattern) if id_pattern else None
    except re.error as exc:
        raise UsageError(f"--id-pattern {id_pattern!r} is not a valid regular expression: {exc}") from None
    found: dict[str, Submission] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                       and not any(part.startswith((".", "__")) for part in p.parts[len(folder.parts):])):
        student = student_id(path.stem, pattern)
        if student in found:
            raise UsageError(f"two submissions for student {student!r}: {found[student].path.name} "
                             f"and {path.name}; keep one, or pass --id-pattern")
        found[student] = Submission(student, path, _sha256(path))
    if not found:
        raise UsageError(f"{source} holds no .ipynb or .py submissions")
    return list(found.values())


def student_id(stem: str, pattern: re.Pattern | None = None) -> str:
    if pattern is not None:
        match = pattern.search(stem)
        return match.group("id") if match and match.groupdict().get("id") else stem
    canvas = CANVAS_NAME.match(stem)
    return f"{canvas['login']}_{canvas['user']}" if canvas else stem


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unzip(archive: Path, target: Path) -> Path:
    """Extract safely: no absolute paths, no ``..``, bounded total size."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise UsageError(f"{archive}: uncompressed content exceeds {MAX_ZIP_BYTES >> 30} GiB")
            for member in members:
                name = PurePosixPath(member.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise UsageError(f"{archive}: unsafe path {member.filename!r} in the zip")
                destination = target.joinpath(*name.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(destination, "wb") as dst:
                    dst.write(src.read())
    except zipfile.BadZipFile as exc:
        raise UsageError(f"{archive}: not a readable zip file ({exc})") from None
    return target
