"""Find the submissions of a batch: a folder or an LMS zip.  Every file gets a row.

Student ids come from file names.  A Canvas "Download submissions" zip names
each file ``login[_late]_userid_submissionid_original-name``; such a name
gives the id ``login_userid``, the Canvas user id, the attempt (submission
id) and the late marker.  ``--id-pattern`` takes a regular expression whose
``id`` group is the id; any other name gives its whole stem.

One student, several files, decided by these rules (README, "Batch grading"):

* **attempts**: the highest Canvas submission id that holds a gradable file
  wins; the files of other attempts are listed as superseded;
* **within the winning attempt**: a notebook wins over a ``.py``, then a
  name containing the assignment (``hw1``), then the first name; the other
  files are listed as ignored (grading runs only the definitions a notebook
  or module makes, so helper files are not imported);
* **nothing gradable** (a ``.pdf``, a ``.zip``, a ``.docx``): the student
  gets a row with status ``unsupported``, 0 points and the reason.

Extensions match whatever their case (``HW1.IPYNB``).  Each chosen file is
read once, by :func:`stage`: those bytes are hashed and copied into the
batch's private staging folder, and the copy is what gets graded, so the
gradebook's sha256 names exactly what was graded, whatever happens to the
original meanwhile.
"""
import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from grader import config
from grader.errors import UsageError

SUFFIXES = (".ipynb", ".py")
CANVAS_NAME = re.compile(r"^(?P<login>[^_]+)(?P<late>_late)?_(?P<user>\d+)_(?P<attempt>\d+)"
                         r"(?:_(?P<rest>.*))?$", re.IGNORECASE)
STAGING = ".staged"              # under the batch's output folder, hidden from student code


@dataclass(frozen=True)
class Submission:
    student_id: str
    path: Path                   # what is graded: the staged copy, once staged
    sha256: str                  # of the bytes staged and graded ("" until staged)
    original: Path | None = None  # where it was found
    late: bool = False
    canvas_user: str = ""        # Canvas's numeric user id, from a Canvas file name
    attempt: int | None = None   # Canvas submission id
    notes: tuple = ()            # superseded attempts, ignored files
    unsupported: str = ""        # why nothing of this student can be graded ("" if gradable)

    @property
    def name(self) -> str:
        return (self.original or self.path).name


@dataclass
class _File:
    path: Path
    student_id: str
    late: bool = False
    canvas_user: str = ""
    attempt: int | None = None
    gradable: bool = field(init=False)

    def __post_init__(self):
        self.gradable = self.path.suffix.lower() in SUFFIXES


def discover(source: Path, workdir: Path, id_pattern: str | None = None,
             assignment: str = "") -> list[Submission]:
    """One :class:`Submission` per student found in ``source`` (a folder or a zip)."""
    source = Path(source)
    if not source.exists():
        raise UsageError(f"{source} does not exist; give a folder or a .zip of submissions")
    is_zip = source.suffix.lower() == ".zip" and source.is_file()
    folder = _unzip(source, Path(workdir) / "unzipped") if is_zip else source
    if not folder.is_dir():
        raise UsageError(f"{source}: expected a folder or a .zip file")
    try:
        pattern = re.compile(id_pattern) if id_pattern else None
    except re.error as exc:
        raise UsageError(f"--id-pattern {id_pattern!r} is not a valid regular expression: "
                         f"{exc}") from None
    students: dict[str, list[_File]] = {}
    for path in _files(folder):
        file = _describe(path, pattern)
        students.setdefault(file.student_id, []).append(file)
    if not students:
        raise UsageError(f"{source} holds no files")
    if not any(f.gradable for files in students.values() for f in files):
        raise UsageError(f"{source} holds no .ipynb or .py submissions")
    return [_choose(files, assignment) for _, files in sorted(students.items())]


def choose_one(folder: Path, assignment: str, student: str = "student") -> Submission:
    """Every file in ``folder`` belongs to one student (a Gradescope submission):
    pick the one to grade by the same rules as a batch."""
    files = [_File(path, student) for path in _files(Path(folder))]
    if not files:
        return Submission(student, Path(folder), "", unsupported="the submission is empty; "
                          "submit your notebook (.ipynb) or Python file (.py)")
    return _choose(files, assignment)


def stage(submissions: list[Submission], folder: Path) -> list[Submission]:
    """Copy each chosen file into ``folder``, reading it once: hash what is copied.

    The copy keeps the file's name with its extension in lower case, so
    ``HW1.IPYNB`` is read as the notebook it is.
    """
    staged = []
    for submission in submissions:
        source = submission.path
        target = folder / _safe(submission.student_id) / (source.stem + source.suffix.lower())
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(source, "rb") as src, open(target, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                dst.write(block)
        staged.append(replace(submission, path=target, original=source,
                              sha256=digest.hexdigest()))
    return staged


def student_id(stem: str, pattern: re.Pattern | None = None) -> str:
    if pattern is not None:
        match = pattern.search(stem)
        return match.group("id") if match and match.groupdict().get("id") else stem
    canvas = CANVAS_NAME.match(stem)
    return f"{canvas['login']}_{canvas['user']}" if canvas else stem


def _files(folder: Path):
    """Every file a student could have sent: not hidden ones, not macOS zip clutter."""
    for path in sorted(folder.rglob("*")):
        inside = path.parts[len(folder.parts):]
        if path.is_file() and not any(p.startswith((".", "__")) for p in inside):
            yield path


def _describe(path: Path, pattern) -> _File:
    stem = path.name[:-len(path.suffix)] if path.suffix else path.name
    canvas = CANVAS_NAME.match(stem)
    if canvas:
        return _File(path, student_id(stem, pattern), late=bool(canvas["late"]),
                     canvas_user=canvas["user"], attempt=int(canvas["attempt"]))
    return _File(path, student_id(stem, pattern))


def _choose(files: list[_File], assignment: str) -> Submission:
    """The file that stands for this student, with notes on the others."""
    gradable = [f for f in files if f.gradable]
    if not gradable:
        names = ", ".join(f.path.name for f in files)
        kinds = ", ".join(sorted({f.path.suffix.lower() or "no extension" for f in files}))
        first = files[0]
        return Submission(first.student_id, first.path, "", late=first.late,
                          canvas_user=first.canvas_user, attempt=first.attempt,
                          unsupported=f"{names}: {kinds} cannot be graded; submit your work "
                                      "as a Jupyter notebook (.ipynb) or a Python file (.py)")
    latest = max(gradable, key=lambda f: -1 if f.attempt is None else f.attempt).attempt
    mine = [f for f in gradable if f.attempt == latest]
    chosen = min(mine, key=lambda f: (f.path.suffix.lower() != ".ipynb",
                                      assignment.lower() not in f.path.name.lower(),
                                      f.path.name))
    notes = []
    for other in files:
        if other is chosen:
            continue
        if other.attempt != latest and other.attempt is not None and latest is not None:
            when = "an earlier" if other.attempt < latest else "a later, ungradable"
            notes.append(f"superseded: {other.path.name} ({when} attempt)")
        else:
            notes.append(f"ignored: {other.path.name} (only {chosen.path.name} is graded)")
    return Submission(chosen.student_id, chosen.path, "", late=chosen.late,
                      canvas_user=chosen.canvas_user, attempt=chosen.attempt, notes=tuple(notes))


def _safe(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".") or "_"


def clear_staging(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _unzip(archive: Path, target: Path) -> Path:
    """Extract safely: no absolute paths, no ``..``, bounded total size."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > config.MAX_ZIP_BYTES:
                raise UsageError(f"{archive}: uncompressed content exceeds "
                                 f"{config.MAX_ZIP_BYTES >> 30} GiB")
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
