"""`grader release`: the student handout holds what students need, and nothing of the
solution or of the hidden checks; `make test` works in it.

The release is built through the CLI, as instructors run it.  Its `make test` runs
with this venv: `VENV=` points the Makefile at it and `-o` keeps make from
installing into it.
"""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO, run_grader

ASSIGNMENT = "hw1"
CHECKS = REPO / "grader" / "checks"


def build_release(out: Path, *extra) -> Path:
    proc = run_grader("release", "--assignment", ASSIGNMENT, "--out", out, *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build_release(tmp_path_factory.mktemp("release") / "hw1-template",
                         "--threshold", "80%", "--repo", "course/hw1-template")


def release_env() -> dict:
    """This environment without PYTHONPATH (`python -m grader` in the release must use the
    release's grader) and without the variables of an outer make (`make check`)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}


def make(folder: Path, *targets) -> subprocess.CompletedProcess:
    venv = Path(sys.prefix)
    return subprocess.run(["make", "-o", str(venv / ".installed"), f"VENV={venv}", *targets],
                          cwd=folder, env=release_env(), capture_output=True, text=True,
                          timeout=600)


def released_text(release: Path) -> str:
    """Every released file as text, and the code cells of notebooks as plain source."""
    parts = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        parts.append(text)
        if path.suffix == ".ipynb":
            parts += ["".join(cell["source"]) for cell in json.loads(text)["cells"]]
    return "\n".join(parts)


def hidden_checks() -> dict[str, dict[str, str]]:
    """assignment -> {name: description} of its hidden checks, from the full rubrics."""
    found = {}
    for rubric in CHECKS.glob("*/rubric.toml"):
        data = tomllib.loads(rubric.read_text())
        found[rubric.parent.name] = {name: check["description"]
                                     for component in data["components"].values()
                                     for name, check in component["checks"].items()
                                     if check.get("hidden")}
    return found


def test_every_assignment_has_hidden_checks_in_hidden_folders():
    for assignment, names in hidden_checks().items():
        assert len(names) >= 3, assignment
        hidden_tests = "\n".join(p.read_text() for p in CHECKS.glob(f"{assignment}/hidden/*.py"))
        public_tests = "\n".join(p.read_text() for p in CHECKS.glob(f"{assignment}/test_*.py"))
        for name in names:
            assert f"def test_{name}(" in hidden_tests, name
            assert f"def test_{name}(" not in public_tests, name


def test_release_holds_the_handout_and_nothing_else(release):
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    for expected in ("assignments/hw1/hw1.py", "assignments/hw1/hw1.ipynb",
                     "assignments/hw1/README.md", "grader/cli.py", "grader/ci.py",
                     "grader/checks/hw1/rubric.toml", "grader/checks/hw1/test_softmax.py",
                     "requirements.txt", "Makefile", "README.md", ".gitignore",
                     ".github/workflows/grade.yml"):
        assert expected in files, expected
    tops = {name.split("/")[0] for name in files}
    assert tops == {"assignments", "grader", "requirements.txt", "Makefile", "README.md",
                    ".gitignore", ".github", "pyproject.toml"}, tops
    assert not [f for f in files if "/hidden/" in f or f.startswith("grader/checks/hw2")
                or "__pycache__" in f]
    assert "IMPL=reference" not in (release / "assignments/hw1/README.md").read_text()


INSTRUCTOR_PACKAGES = ("dask", "distributed", "nbclient", "pytest-xdist", "PyYAML", "filelock")


def test_release_leaves_out_the_instructor_side(release):
    instructor = REPO / "grader" / "instructor"
    assert (instructor / "batch.py").is_file()   # what is left out is still there
    assert not (release / "grader" / "instructor").exists()
    # nor any instructor file under another name
    theirs = {p.read_bytes() for p in instructor.rglob("*") if p.is_file() and
              "__pycache__" not in p.parts}
    copied = [p for p in (release / "grader").rglob("*") if p.is_file() and p.read_bytes() in theirs]
    assert not copied, copied
    # what `grader ci` renders comes whole
    rendered = {p.name for p in (release / "grader" / "render").glob("*.py")}
    assert rendered == {p.name for p in (REPO / "grader" / "render").glob("*.py")}
    requirements = (release / "requirements.txt").read_text()
    assert requirements == (REPO / "requirements-student.txt").read_text()
    pinned = {re.split(r"[=<>]", line)[0].lower() for line in requirements.splitlines()
              if line and not line.startswith("#")}
    assert {"hypothesis", "numpy", "pytest", "nbformat", "rich"} <= pinned
    assert not pinned & {p.lower() for p in INSTRUCTOR_PACKAGES}, pinned
    # the command line offers only what is there
    proc = subprocess.run([sys.executable, "-m", "grader", "--help"], cwd=release,
                          env=release_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "{grade,test,ci}" in proc.stdout and "batch" not in proc.stdout
    # an instructors' command says what it is, whatever its arguments, and runs nothing
    from grader.dispatch import INSTRUCTOR_COMMANDS
    from grader.instructor.cli import COMMANDS
    assert INSTRUCTOR_COMMANDS == COMMANDS
    for command in COMMANDS:
        proc = subprocess.run([sys.executable, "-m", "grader", command, "subs", "--assignment",
                               "hw1", "--out", "o"], cwd=release, env=release_env(),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert f"`python -m grader {command}` is an instructors' command" in proc.stderr
        assert "student release" in proc.stderr and "Traceback" not in proc.stderr
        assert not (release / "o").exists()


def _imported_grader_modules(path: Path, release: Path) -> set[tuple[str, bool]]:
    """Dotted names of the grader modules ``path`` imports (relative imports resolved),
    each with whether it may be an attribute instead (``from grader.x import name``)."""
    package = ".".join(path.relative_to(release).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {(a.name, False) for a in node.names if a.name.split(".")[0] == "grader"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] == "grader":
                found.add((base, False))
                found |= {(f"{base}.{a.name}", True) for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                re.fullmatch(r"grader(\.\w+)+", node.value):
            found.add((node.value, False))  # importlib.import_module("grader.x"), lazy exports
    return found


def test_every_grader_import_in_the_release_resolves_in_it(release):
    missing = set()
    for path in (release / "grader").rglob("*.py"):
        for name, may_be_attribute in _imported_grader_modules(path, release):
            parts = name.split(".")
            as_module = release.joinpath(*parts)
            if as_module.with_suffix(".py").exists() or (as_module / "__init__.py").exists():
                continue
            parent = release.joinpath(*parts[:-1])
            if may_be_attribute and (parent.with_suffix(".py").exists()
                                     or (parent / "__init__.py").exists()):
                continue  # an attribute of a module that is there (checked by running it)
            missing.add(f"{path.relative_to(release)}: {name}")
    # the one guarded import: the instructors' commands, looked up with find_spec
    assert missing == {"grader/dispatch.py: grader.instructor",
                       "grader/dispatch.py: grader.instructor.cli"}, sorted(missing)


def test_release_installs_as_a_package(release, tmp_path):
    """`pip install .` (what the Colab cell does, from the repository): the grader with
    its checks, rubric and d2l stand-in, importable from anywhere."""
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--no-build-isolation", "--target", str(target), str(release)],
                          env=release_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("grader/checks/hw1/rubric.toml", "grader/checks/pytest.ini",
                 "grader/checks/hw1/test_softmax.py", "grader/d2l_shim/d2l/torch.py",
                 "grader/incell.py", "grader/box/worker.py"):
        assert (target / name).is_file(), name
    assert not list(target.glob("assignments*")) and not (target / "grader/instructor").exists()
    code = ("import grader, inspect; from grader.rubric import load_rubric; "
            "print(load_rubric('hw1').max_score, callable(grader.check))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                          env={**release_env(), "PYTHONPATH": str(target)},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42.0", "True"]
    data = tomllib.loads((release / "pyproject.toml").read_text())
    dependencies = data["project"]["dependencies"]
    assert "hypothesis==6.170.15" in dependencies and "torch" in dependencies
    assert not [d for d in dependencies if d.split("=")[0].lower() in
                {p.lower() for p in INSTRUCTOR_PACKAGES}]


def test_the_notebook_starts_with_the_grader_setup_cell(release):
    import nbformat
    book = nbformat.read(release / "assignments/hw1/hw1.ipynb", as_version=4)
    first = next(c for c in book.cells if c.cell_type == "code")
    assert '%pip install --quiet "git+https://github.com/course/hw1-template"' in first.source
    assert first.source.rstrip().endswith("import grader")
    stub = nbformat.read(REPO / "assignments/hw1/hw1.ipynb", as_version=4)
    assert [c.source for c in book.cells if c.id != "grader-setup"] == \
        [c.source for c in stub.cells]


def test_a_bad_repo_is_refused(tmp_path):
    proc = run_grader("release", "--assignment", ASSIGNMENT, "--out", tmp_path / "x",
                      "--repo", "https://github.com/a/b")
    assert proc.returncode == 2 and "OWNER/NAME" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_released_rubric_lists_only_the_public_checks(release):
    data = tomllib.loads((release / "grader/checks/hw1/rubric.toml").read_text())
    full = tomllib.loads((CHECKS / "hw1/rubric.toml").read_text())
    hidden = hidden_checks()["hw1"]
    for name, component in full["components"].items():
        public = {k: v for k, v in component["checks"].items() if k not in hidden}
        assert data["components"][name]["checks"] == public
    points = sum(c["points"] for comp in data["components"].values()
                 for c in comp["checks"].values())
    assert points == 42
    readme = (release / "README.md").read_text()
    assert "worth 42 points" in readme and "5 more points (47 in all)" in readme
    assert "below 33.6 of 42 points (80%)" in readme


def test_no_solution_and_no_hidden_check_leaks(release):
    text = released_text(release)
    for reference in sorted(REFERENCE.glob("*.py")):
        stub = (REPO / "assignments" / reference.stem / reference.name).read_text()
        leaked = [line.strip() for line in reference.read_text().splitlines()
                  if len(line.strip()) >= 15 and line.strip() not in stub
                  and line.strip() in text]
        assert not leaked, f"lines of {reference.name} in the release: {leaked}"
    public = "\n".join(p.read_text() for p in (REPO / "grader").rglob("*.py")
                       if "hidden" not in p.parts)
    for assignment, checks in hidden_checks().items():
        for name, description in checks.items():
            assert not re.search(rf"\btest_{name}\b", text), f"{assignment} check {name}"
            assert not re.search(rf"\.checks\.{name}\]", text), f"{assignment} check {name}"
            assert description not in text, f"{assignment} check {name}"
        for path in CHECKS.glob(f"{assignment}/hidden/test_*.py"):
            body = [line.strip() for line in path.read_text().splitlines()
                    if len(line.strip()) >= 15 and line.strip() not in public]
            assert body, path  # the comparison below is not vacuous
            leaked = [line for line in body if line in text]
            assert not leaked, f"lines of {path.relative_to(REPO)} in the release: {leaked}"


def test_make_test_on_the_stubs_reports_not_implemented(release):
    proc = make(release, "test")
    assert proc.returncode != 0 and "Error 1" in proc.stderr, proc.stdout + proc.stderr
    assert "not implemented yet" in proc.stdout
    assert "0 / 42" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_make_test_with_the_reference_gives_full_public_marks(release, tmp_path):
    solved = tmp_path / "solved"
    shutil.copytree(release, solved)
    shutil.copy(REFERENCE / "hw1.py", solved / "assignments/hw1/hw1.py")
    proc = make(solved, "test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "42 / 42" in proc.stdout


def test_a_non_empty_out_folder_is_refused_unless_forced(tmp_path):
    out = tmp_path / "template"
    (out / ".git").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    proc = run_grader("release", "--assignment", ASSIGNMENT, "--out", out)
    message = " ".join(proc.stderr.split())  # rich wraps long lines
    assert proc.returncode == 2
    assert "is not empty (it holds notes.txt)" in message and "--force" in message
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (out / "notes.txt").exists()
    build_release(out, "--force")
    assert not (out / "notes.txt").exists() and (out / ".git").is_dir()
    assert (out / ".github/workflows/grade.yml").exists()


@pytest.mark.parametrize("threshold, words", [
    ("120%", "not points"), ("lots", "not points"), ("50", "more than the 42 points")])
def test_a_bad_threshold_is_refused(tmp_path, threshold, words):
    proc = run_grader("release", "--assignment", ASSIGNMENT, "--out", tmp_path / "x",
                      "--threshold", threshold)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_out_inside_the_checkout_is_refused(tmp_path):
    proc = run_grader("release", "--assignment", ASSIGNMENT, "--out", REPO / "grader" / "x")
    assert proc.returncode == 2 and "overlaps this grader checkout" in " ".join(proc.stderr.split())
    assert not (REPO / "grader" / "x").exists()


def test_a_hidden_check_left_in_a_public_file_is_refused(tmp_path, monkeypatch):
    from grader import config
    from grader.instructor import release
    from grader.errors import ConfigError
    checks = tmp_path / "checks"
    shutil.copytree(CHECKS / "hw1", checks / "hw1", ignore=shutil.ignore_patterns("hidden"))
    public = checks / "hw1" / "test_softmax.py"
    public.write_text(public.read_text() + "\n\ndef test_shift_invariance(student):\n    pass\n")
    monkeypatch.setattr(config, "CHECKS_DIR", checks)
    with pytest.raises(ConfigError, match="shift_invariance is hidden.*move it to hidden/"):
        release.build("hw1", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_setup_cell_is_not_taken_for_tampering(release):
    """`import grader` in the set-up cell is ours: even with every statement run
    (`batch --full`) the tamper scan finds nothing in the released notebook."""
    from grader import loader, tamper
    from grader.rubric import load_rubric
    path = release / "assignments/hw1/hw1.ipynb"
    names = load_rubric("hw1").student_names()
    for full in (False, True):
        chunks, _ = loader.load_submission(path, "hw1", names, full=full)
        assert tamper.scan(chunks) == []
    # a student's own import of the grader's machinery is still found
    assert tamper.scan([{"code": "import grader.scratch", "label": "cell 1"}])
