"""Everything on the student's side of the sandbox lives in ``grader/box/`` and
imports nothing from the scoring side: no rubric, checks, reference or pytest
can end up in a worker's memory, and what the jail runs can be read in one place.
"""
import ast
import subprocess
import sys
from pathlib import Path

from grader import config

BOX = config.REPO_ROOT / "grader" / "box"
# Modules outside grader/box that run inside the worker too (shared with the scorer):
# the message format and the from-scratch watch (with its native operator callback).
SHARED = {"grader.wire", "grader.scratch", "grader.native"}
THIRD_PARTY = {"torch", "numpy", "pyseccomp"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names
                      if node.module == "grader"}
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path.name}: relative import")
    return names


def _allowed(name: str) -> bool:
    root = name.split(".")[0]
    if root == "grader":
        return name == "grader" or name.startswith("grader.box") or name in SHARED
    return root in THIRD_PARTY or root in sys.stdlib_module_names


def test_the_box_imports_nothing_from_the_scoring_side():
    grader_dir = config.REPO_ROOT / "grader"
    shared = [grader_dir / f"{m.split('.')[1]}.py" for m in SHARED]
    shared = [p if p.exists() else p.with_suffix("") / "__init__.py" for p in shared]
    modules = [*BOX.glob("*.py"), *shared]
    bad = {path.name: sorted(n for n in _imports(path) if not _allowed(n)) for path in modules}
    assert not {name: names for name, names in bad.items() if names}


def test_a_fork_server_loads_no_scoring_code():
    code = ("import sys; import grader.box.forkserver, grader.box.launch, grader.box.worker; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('grader', 'pytest', 'hypothesis', '_pytest'))))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=config.REPO_ROOT, text=True,
                            capture_output=True, timeout=120, check=True).stdout.split()
    assert all(_allowed(name) for name in loaded), loaded
    assert "grader.box.worker" in loaded
