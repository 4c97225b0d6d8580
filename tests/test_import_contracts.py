"""The import contracts of ``.importlinter`` hold, and each one fails when broken.

``make check`` runs ``lint-imports`` on the checkout; here every contract is also
broken on purpose, in a copy of ``grader/``, by an import of the kind it exists to
stop (direct, lazy inside a function, through a shared module), so a contract
that stopped matching anything would fail this test instead of passing forever.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
LAZY = "\n\ndef _contract_probe():\n    {}\n"
# (contract id, file, import appended to it)
BREAKS = [
    ("box", "grader/box/limits.py", "from grader import rubric"),
    ("box", "grader/box/worker.py", LAZY.format("from grader.instructor import job")),
    ("box", "grader/box/probes.py", "import pytest"),
    ("box", "grader/scratch.py", LAZY.format("from grader import config")),  # a shared module
    ("instructor", "grader/report.py", LAZY.format("from grader.instructor import batch")),
    ("instructor", "grader/__init__.py", "import grader.instructor.gradebook"),
    ("instructor", "grader/render/common.py", "from grader.instructor.exports import tables"),
    ("instructor-acyclic", "grader/instructor/job.py",
     LAZY.format("from grader.instructor import batch")),
    ("instructor-acyclic", "grader/instructor/remote.py",
     LAZY.format("from grader.instructor import cluster")),
    ("rendering", "grader/instructor/exports/tables.py", "from grader.instructor import gradebook"),
    ("rendering", "grader/render/junit.py", LAZY.format("from grader import grading")),
]


def lint(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    options = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([str(LINT), "--no-cache", *options], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "300"},
                          capture_output=True, text=True, timeout=300)


def copy_of_grader(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "grader", tmp_path / "grader",
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.so"))
    shutil.copy(REPO / ".importlinter", tmp_path)
    return tmp_path


def test_the_checkout_keeps_every_contract():
    proc = lint(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout, proc.stdout


@pytest.mark.parametrize("contract, path, statement", BREAKS,
                         ids=[f"{c}:{Path(p).name}" for c, p, _ in BREAKS])
def test_a_forbidden_import_breaks_its_contract(tmp_path, contract, path, statement):
    root = copy_of_grader(tmp_path)
    with open(root / path, "a") as handle:
        handle.write("\n" + statement + "\n")
    proc = lint(root, contract)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 broken" in proc.stdout and "BROKEN" in proc.stdout, proc.stdout
