"""``python -m grader release``: one assignment's student handout, ready to be a
GitHub Classroom template repository.

The release holds::

    assignments/<hw>/           the stub module, its notebook and the task README
    grader/                     the engine, with only this assignment's public checks
    grader/checks/<hw>/rubric.toml   the rubric without the hidden checks
    requirements.txt, Makefile  `make install`, `make test` (torch pinned as here);
                                requirements.txt is requirements-student.txt
    pyproject.toml              `pip install .`: the grader as a package (Colab)
    README.md                   for students: make test, grader.check, the workflow, the points
    .github/workflows/grade.yml grades every push (``grader ci``), points to Classroom
    .gitignore

and never ``reference/``, ``tests/``, ``out/``, other assignments' checks or the
hidden checks (``hidden/`` folders and their rubric entries), so the release's
maximum score is the public points.  Nor the instructors' side of the engine
(``grader/instructor/``: batch, cluster, exports, benchmarks...): students
run only ``make test``, ``grader ci`` and ``grader.check()``.  The notebook
gets a first code cell that sets up ``grader.check()`` (in Colab it installs
the release from ``--repo``).  ``tests/test_release.py`` proves that no
solution line, no hidden check and no instructor module leaks, and that
``make test``, the CI command and ``grader.check()`` work there.
"""
import ast
import re
import shutil
import tomllib
from pathlib import Path

from grader import config
from grader.ci import parse_threshold
from grader.errors import ConfigError, UsageError
from grader.rubric import load_rubric

TEMPLATES = Path(__file__).resolve().parent / "release_template"
# grader/instructor/, left out whole: students never run batch, cluster, exports,
# benchmarks or the release itself (nothing outside it imports it: .importlinter)
INSTRUCTOR_DIR = Path(__file__).resolve().parent
# pyproject.toml's dependencies: the student requirements; those Colab already has
# are not pinned (its own builds stay: replacing numpy there needs a restart)
COLAB_PROVIDES = {"numpy", "matplotlib", "ipykernel"}
REPO_PLACEHOLDER = "OWNER/REPOSITORY"
HIDDEN_DIR = "hidden"      # grader/checks/<hw>/hidden/test_<component>.py
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache",
                              ".hypothesis", "build")   # build: grader/native/build, made by make install


def build(assignment: str, out: Path, threshold: str = "100%", force: bool = False,
          repo: str | None = None) -> list[Path]:
    """Write the release of ``assignment`` into ``out``; returns the files written.

    Everything is checked before ``out`` is touched.
    """
    rubric = load_rubric(assignment)
    hidden = {(c.name, k.name) for c in rubric.components for k in c.checks if k.hidden}
    _check_hidden_layout(rubric, hidden)
    rubric_text = public_rubric(rubric.directory / "rubric.toml", hidden)
    hidden_points = sum(k.points for c in rubric.components for k in c.checks if k.hidden)
    public_points = rubric.max_score - hidden_points
    limit = parse_threshold(threshold)
    if repo is not None and not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise UsageError(f"--repo {repo!r} is not a GitHub repository OWNER/NAME "
                         "(e.g. my-course/hw1-template)")
    requirements = (config.REPO_ROOT / "requirements-student.txt").read_text()
    values = {
        "REPO": repo or REPO_PLACEHOLDER,
        "DEPENDENCIES": ", ".join(f'"{r}"' for r in _package_requirements(requirements)),
        "ASSIGNMENT": assignment, "TITLE": rubric.title, "TORCH": _pinned_torch(),
        "THRESHOLD": str(limit),
        "THRESHOLD_TEXT": limit.describe(public_points),  # refuses more points than there are
        "PUBLIC_POINTS": f"{public_points:g}",
        "HIDDEN_NOTE": (f"Your instructor grades your submission with these checks and "
                        f"{len(hidden)} hidden ones worth {hidden_points:g} more points "
                        f"({rubric.max_score:g} in all), so full marks here are not yet "
                        f"the full grade." if hidden else
                        "Your instructor grades your submission with these same checks."),
    }
    out = _empty_folder(Path(out), force)

    work = config.IMPLEMENTATION_DIRS["assignments"] / assignment
    shutil.copytree(work, out / "assignments" / assignment, ignore=JUNK)
    task = out / "assignments" / assignment / "README.md"
    if task.exists():  # the reference is not in the release
        task.write_text("".join(line for line in task.read_text().splitlines(keepends=True)
                                if "IMPL=reference" not in line))
    notebook = out / "assignments" / assignment / f"{assignment}.ipynb"
    if notebook.exists():
        _add_setup_cell(notebook, _filled(TEMPLATES / "setup_cell.py", values))
    shutil.copytree(config.CHECKS_DIR.parent, out / "grader", ignore=_engine_filter(assignment))
    (out / "grader" / "checks" / assignment / "rubric.toml").write_text(rubric_text)
    (out / "requirements.txt").write_text(requirements)
    for template, target in (("Makefile", "Makefile"), ("README.md", "README.md"),
                             ("gitignore", ".gitignore"), ("pyproject.toml", "pyproject.toml"),
                             ("grade.yml", ".github/workflows/grade.yml")):
        _fill(TEMPLATES / template, out / target, values)
    return [path for path in sorted(out.rglob("*"))
            if path.is_file() and path.relative_to(out).parts[0] != ".git"]


def public_rubric(path: Path, hidden: set) -> str:
    """The rubric's text without the tables of hidden checks (comments kept).

    The result is parsed again and compared with the original minus those
    checks, so an unusual layout is refused rather than released wrong.
    """
    header = re.compile(r"\[components\.([A-Za-z0-9_]+)\.checks\.([A-Za-z0-9_]+)\]\s*$")
    kept, dropping = [], False
    for line in path.read_text().splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            match = header.match(stripped)
            dropping = bool(match) and (match[1], match[2]) in hidden
        elif dropping and (not stripped or stripped.startswith("#")):
            dropping = False
            if not stripped:
                continue  # the blank line that ended the dropped table
        if not dropping:
            kept.append(line)
    text = "".join(kept)
    expected = tomllib.loads(path.read_text())
    for component, check in hidden:
        del expected["components"][component]["checks"][check]
    if tomllib.loads(text) != expected:
        raise ConfigError(f"{path}: could not remove the hidden checks' tables line by line; "
                          "keep each [components.X.checks.Y] table as one block of key = value "
                          "lines followed by a blank line")
    return text


def _check_hidden_layout(rubric, hidden: set) -> None:
    """Hidden checks must live in hidden/ (left out), public ones outside it (kept)."""
    for component in rubric.components:
        for folder, wanted in ((rubric.directory, False), (rubric.directory / HIDDEN_DIR, True)):
            path = folder / f"test_{component.name}.py"
            if not path.exists():
                continue
            for name in _test_functions(path):
                check = name.removeprefix("test_")
                if ((component.name, check) in hidden) != wanted:
                    fix = (f"move it to {HIDDEN_DIR}/{path.name}" if not wanted else
                           f"mark it `hidden = true` in rubric.toml or move it to ../{path.name}")
                    state = "hidden" if not wanted else "not hidden"
                    raise ConfigError(f"{path}: check {component.name}.{check} is {state} in "
                                      f"rubric.toml but its test is in this file; {fix}")


def _test_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def _engine_filter(assignment: str):
    """shutil.copytree ignore: other assignments' checks, hidden/ folders, caches,
    grader/instructor/."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = set(JUNK(folder, names))
        here = Path(folder)
        if here == config.CHECKS_DIR:
            skip |= {n for n in names if (here / n / "rubric.toml").exists() and n != assignment}
        if here.parent == config.CHECKS_DIR:
            skip |= {HIDDEN_DIR} & set(names)
        if here == config.CHECKS_DIR.parent:
            skip |= {INSTRUCTOR_DIR.name} & set(names)
        return skip
    return ignore


def _empty_folder(out: Path, force: bool) -> Path:
    out = out.resolve()
    repo = config.REPO_ROOT.resolve()
    copied = [repo / "grader", repo / "assignments"]
    if out == repo or out in repo.parents or any(out == p or p in out.parents for p in copied):
        raise UsageError(f"--out {out} overlaps this grader checkout ({repo}); choose a folder "
                         "outside it, or under its out/ folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder (new or empty)")
    entries = sorted(p for p in out.iterdir() if p.name != ".git") if out.exists() else []
    if entries and not force:
        raise UsageError(f"--out {out} is not empty (it holds {entries[0].name}"
                         f"{f' and {len(entries) - 1} more' if len(entries) > 1 else ''}); "
                         "give a new or empty folder, or add --force to replace its contents "
                         "(a .git folder is kept)")
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _pinned_torch() -> str:
    """The torch requirement of this repository's Makefile, so both install the same."""
    makefile = config.REPO_ROOT / "Makefile"
    match = re.search(r"^TORCH\s*\?=\s*(\S+)\s*$", makefile.read_text(), re.MULTILINE)
    if not match:
        raise ConfigError(f"{makefile}: no `TORCH ?= torch==<version>` line to pin torch in "
                          "the release's Makefile")
    return match[1]


def _package_requirements(requirements: str) -> list[str]:
    """pyproject.toml dependencies: the student requirements, unpinned for what Colab has."""
    found = []
    for line in requirements.splitlines():
        line = line.split("#")[0].strip()
        name = re.split(r"[=<>!~ \[]", line)[0].lower()
        if line and not line.startswith("-"):
            found.append(name if name in COLAB_PROVIDES else line)
    return found


def _add_setup_cell(notebook: Path, source: str) -> None:
    """The grader.check() set-up cell, first code cell of the released notebook."""
    import nbformat
    book = nbformat.read(notebook, as_version=4)
    first_code = next((i for i, c in enumerate(book.cells) if c.cell_type == "code"),
                      len(book.cells))
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
    cell.id = "grader-setup"  # fixed: rebuilding the release gives the same file
    book.cells.insert(first_code, cell)
    nbformat.write(book, notebook)


def _filled(template: Path, values: dict) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise ConfigError(f"{template}: unknown placeholder {leftover[0]}")
    return text


def _fill(template: Path, target: Path, values: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_filled(template, values))
