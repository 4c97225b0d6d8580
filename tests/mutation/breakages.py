"""Make each breakage of issue 16's table in a scratch copy and run the test meant to catch it.

    .venv/bin/python tests/mutation/breakages.py            # every row
    .venv/bin/python tests/mutation/breakages.py wire bom   # some rows, by key
    .venv/bin/python tests/mutation/breakages.py --before 9af16d2   # the suite of that commit

A row passes when its tests pass on the unbroken copy and fail on the broken
one; the table printed at the end is the one kept in ``breakages.md``.  The
working tree is never edited: each row gets its own copy under a temporary
folder (grader/, tests/, reference/, assignments/, pyproject.toml).
"""
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COPIED = ("grader", "tests", "reference", "assignments", "pyproject.toml")


@dataclass(frozen=True)
class Breakage:
    key: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    before: tuple[str, ...] = ()   # the fast test files that existed before issue 16


BREAKAGES = (
    Breakage("tolerances", "grader/compare.py",
             "DEFAULT_TOLERANCES = {torch.float64: (1e-7, 1e-7)",
             "DEFAULT_TOLERANCES = {torch.float64: (1e-3, 1e-3)",
             ("tests/test_compare.py::test_default_tolerances_follow_the_dtype",),
             before=("tests/test_compare.py",)),
    Breakage("not-implemented-any", "grader/scoring.py",
             "if ran and all(c.status == Status.NOT_IMPLEMENTED for c in ran):",
             "if ran and any(c.status == Status.NOT_IMPLEMENTED for c in ran):",
             ("tests/test_scoring.py::test_partial_work_beside_a_stub_keeps_its_points",),
             before=("tests/test_scoring.py",)),
    Breakage("timeout-ignored", "grader/rubric.py",
             'timeout = table.get("timeout", config.CHECK_TIMEOUT_S)',
             "timeout = config.CHECK_TIMEOUT_S",
             ("tests/test_rubric.py::test_a_checks_own_timeout_is_read",),
             before=("tests/test_rubric.py",)),
    Breakage("profile-not-restored", "grader/scratch.py",
             "                stack.callback(sys.setprofile, previous_profile)\n", "",
             ("tests/test_scratch.py::test_watch_restores_previous_state",),
             before=("tests/test_scratch.py",)),
    Breakage("wire-bounds", "grader/wire.py",
             "        if start < 0 or size < 0 or start + size > len(body):\n"
             '            raise WireError("tensor buffer out of bounds")\n', "",
             ("tests/test_wire.py::test_buffers_outside_the_message_are_refused_when_unpacked",),
             before=("tests/test_wire.py",)),
    Breakage("bom", "grader/loader.py", 'data.decode("utf-8-sig")', 'data.decode("utf-8")',
             ("tests/test_loader.py::test_a_python_file_saved_with_a_bom_loads_without_it",
              "tests/test_loader.py::test_a_notebook_saved_with_a_bom_is_read_as_a_notebook"),
             before=("tests/test_extract.py",)),
    Breakage("hidden-masking", "grader/report.py",
             "    data = visibility.student_check(check) if student_view else asdict(check)",
             "    data = asdict(check)",
             ("tests/test_report.py::test_a_failed_hidden_check_shows_only_its_name_and_points",),
             before=("tests/test_exports.py", "tests/test_ci.py")),
    Breakage("parity-gradients", "grader/parity.py",
             "            assert_close(g_gpu, g_cpu,", "            (lambda *a, **k: None)(g_gpu, g_cpu,",
             ("tests/test_parity_unit.py::test_a_gradient_that_differs_on_the_gpu_fails",),
             before=("tests/test_parity_path.py",)),
    Breakage("parity-early-return", "grader/parity.py",
             "    require_gpu()\n    for dtype in", "    require_gpu()\n    return\n    for dtype in",
             ("tests/test_parity_unit.py",),
             before=("tests/test_parity_path.py",)),
    Breakage("grader-modules-kept", "grader/box/worker.py",
             "    _forget_grader_modules()\n    started", "    started",
             ("tests/test_sandbox.py::test_student_code_finds_none_of_the_graders_modules_loaded",)),
)


def run_tests(root: Path, tests) -> tuple[bool, str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           *tests], cwd=root, capture_output=True, text=True, timeout=900)
    lines = [l for l in proc.stdout.splitlines() if l.startswith(("E ", "FAILED"))]
    return proc.returncode == 0, (lines[0] if lines else proc.stdout.strip().splitlines()[-1])


def copy_tree(target: Path) -> None:
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        else:
            shutil.copy2(source, target / name)


def check(breakage: Breakage, before: str = "") -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix=f"breakage-{breakage.key}-") as folder:
        root = Path(folder)
        copy_tree(root)
        tests = breakage.tests
        if before:   # that commit's tests/ instead of ours
            shutil.rmtree(root / "tests")
            archive = subprocess.run(["git", "archive", before, "tests"], cwd=REPO,
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
            tests = breakage.before
            if not tests:
                return False, "no fast test of that commit covers it (see breakages.md)"
        passed, why = run_tests(root, tests)
        if not passed:
            return False, f"fails on the unbroken code: {why}"
        source = root / breakage.path
        text = source.read_text()
        if text.count(breakage.old) != 1:
            return False, f"the text to break is not in {breakage.path} exactly once"
        broken = text.replace(breakage.old, breakage.new)
        compile(broken, str(source), "exec")   # a breakage, not a syntax error
        source.write_text(broken)
        passed, why = run_tests(root, tests)
        return not passed, ("still passes when broken" if passed else why)


def main(args) -> int:
    before = args[args.index("--before") + 1] if "--before" in args else ""
    keys = set(args) - {"--before", before}
    rows = [b for b in BREAKAGES if not keys or b.key in keys]
    failures = 0
    for breakage in rows:
        caught, why = check(breakage, before)
        failures += not caught
        tests = breakage.before if before else breakage.tests
        print(f"{'caught' if caught else 'MISSED'}  {breakage.key:22} {breakage.path:22} "
              f"{' '.join(tests)}\n        {why[:300]}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
