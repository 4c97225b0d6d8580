"""`make install`: the Python version is checked first, and the pip command for torch
takes the CPU build on Linux (this machine cannot reach PyTorch's index: the command is
tested as generated, and the fallback when the index is unreachable is what runs here)."""
import subprocess
import sys

import pytest

from conftest import REPO
from grader import install

CPU = "https://download.pytorch.org/whl/cpu"


def reachable(url):
    assert url == CPU
    return True


def unreachable(url):
    return False


@pytest.mark.parametrize("system, gpu, index, expected", [
    ("Linux", False, "", ["torch==2.13.0", "--index-url", CPU]),
    ("Linux", True, "", ["torch==2.13.0"]),                       # PyPI: the CUDA build
    ("Linux", False, "https://x/cu128", ["torch==2.13.0", "--index-url", "https://x/cu128"]),
    ("Darwin", False, "", ["torch==2.13.0"]),                     # PyPI's default build
    ("Windows", False, "", ["torch==2.13.0"]),
])
def test_torch_pip_arguments(system, gpu, index, expected):
    assert install.torch_args("torch==2.13.0", system=system, gpu=gpu, index=index,
                              cpu_index_reachable=reachable) == expected


def test_an_unreachable_cpu_index_falls_back_to_the_default_with_a_notice(capsys):
    assert install.torch_args("torch==2.13.0", system="Linux",
                              cpu_index_reachable=unreachable) == ["torch==2.13.0"]
    notice = capsys.readouterr().err
    assert CPU in notice and "cannot be reached" in notice and "CUDA" in notice


def test_the_old_torch_variable_with_its_own_index_is_kept_as_given():
    spec = "torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
    assert install.torch_args(spec, system="Linux", cpu_index_reachable=reachable) == \
        spec.split()


def test_no_probe_when_the_cpu_index_is_not_wanted():
    def never(url):
        raise AssertionError("probed")
    for system, gpu in (("Linux", True), ("Darwin", False)):
        install.torch_args("torch==2.13.0", system=system, gpu=gpu, cpu_index_reachable=never)


@pytest.mark.parametrize("version", [(3, 10, 12), (3, 9, 0), (2, 7, 18)])
def test_an_old_python_is_refused_with_what_to_do(version):
    problem = install.python_problem(version, "python3")
    assert f"is Python {'.'.join(map(str, version))}" in problem
    assert "needs Python 3.11 or newer" in problem
    assert "sudo apt install python3.11" in problem and "make install PYTHON=python3.11" in problem


@pytest.mark.parametrize("version", [(3, 11, 0), (3, 12, 3), (3, 14, 0)])
def test_supported_pythons_pass(version):
    assert install.python_problem(version) is None


def test_the_command_line_prints_the_pip_arguments_and_checks_this_python():
    run = [sys.executable, "-m", "grader.install"]
    proc = subprocess.run([*run, "torch-args", "torch==2.13.0", "1", ""], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.split() == ["torch==2.13.0"]
    proc = subprocess.run([*run, "check-python"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stderr == ""
    assert subprocess.run([*run, "bogus"], cwd=REPO, capture_output=True,
                          timeout=60).returncode == 2


def test_the_install_module_parses_on_old_pythons():
    """It runs with the system's python3 before the version check: no 3.8+ syntax."""
    import ast
    source = (REPO / "grader/install.py").read_text()
    ast.parse(source, feature_version=(3, 6))
    assert "f\"" not in source and "f'" not in source  # f-strings are 3.6+, kept out anyway


def test_make_install_checks_the_version_before_anything_else():
    dry = subprocess.run(["make", "-n", "-B", "install"], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert "-m grader.install check-python" in lines[0]
    assert "-m venv .venv" in lines[1]
    assert "grader.install torch-args 'torch==2.13.0' '' ''" in lines[2]
    assert lines[3].endswith("-r requirements.txt")
