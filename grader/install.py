"""``make install`` helpers, run before the virtual environment exists.

    python3 -m grader.install check-python        exit 2 with advice on a Python too old
    python3 -m grader.install torch-args SPEC     the pip arguments that install torch

Standard library only, and syntax old Pythons still parse, so that a too-old
``python3`` gets the advice instead of a traceback.

Which torch build: the CPU one on Linux by default, from PyTorch's CPU wheel
index (PyPI's Linux torch is the CUDA build, gigabytes of NVIDIA wheels that a
grader without a GPU never uses).  ``GPU=1`` takes PyPI's default build
instead, and ``TORCH_INDEX=URL`` any wheel index (a CUDA one).  macOS and
Windows keep PyPI's default, which is the CPU (or Apple MPS) build there.
When the CPU index cannot be reached (an offline mirror, a firewall), the
default index is used with a notice saying so.
"""
import platform
import sys

MIN_PYTHON = (3, 11)
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_TIMEOUT_S = 10


def python_problem(version=None, executable="python3"):
    """Why this Python cannot run the grader, with what to do; None if it can."""
    version = tuple(version or sys.version_info[:3])
    if version[:2] >= MIN_PYTHON:
        return None
    wanted = "%d.%d" % MIN_PYTHON
    return (
        "make install: %s is Python %s; the grader needs Python %s or newer (its pinned "
        "hypothesis and numpy, which fix the generated test cases, exist only for %s+).\n"
        "  Ubuntu 22.04:  sudo apt install python%s python%s-venv, then "
        "make install PYTHON=python%s\n"
        "  macOS:         brew install python@%s, then make install PYTHON=python%s\n"
        "  anywhere:      uv python install %s (https://docs.astral.sh/uv), or conda create "
        "-n grader python=%s\n"
        "  or use Colab or the course's GitHub Codespace, which have a recent Python."
        % (executable, ".".join(map(str, version)), wanted, wanted, wanted, wanted, wanted,
           wanted, wanted, wanted, wanted))


def torch_args(requirement, system=None, gpu=False, index="", cpu_index_reachable=None):
    """pip arguments (after ``pip install``) for ``requirement`` (e.g. ``torch==2.13.0``).

    ``cpu_index_reachable`` is a function probing the CPU index; it is asked
    only when the CPU index would be used.
    """
    system = system or platform.system()
    if " " in requirement.strip():  # TORCH='torch==X --index-url URL': the user's own choice
        return requirement.split()
    if index:
        return [requirement, "--index-url", index]
    if gpu or system != "Linux":
        return [requirement]
    reachable = cpu_index_reachable or index_reachable
    if not reachable(CPU_INDEX):
        sys.stderr.write(
            "make install: PyTorch's CPU wheel index (%s) cannot be reached; installing %s "
            "from the default index instead (on Linux, PyPI's torch is the large CUDA "
            "build).\n" % (CPU_INDEX, requirement))
        return [requirement]
    return [requirement, "--index-url", CPU_INDEX]


def index_reachable(url, timeout=PROBE_TIMEOUT_S):
    """Whether the wheel index answers (any HTTP status counts: it is there)."""
    import urllib.error
    import urllib.request
    try:
        urllib.request.urlopen(urllib.request.Request(url + "/torch/", method="HEAD"),
                               timeout=timeout).close()
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False
    return True


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check-python"]:
        problem = python_problem(executable=argv[1] if len(argv) > 1 else sys.executable)
        if problem:
            sys.stderr.write(problem + "\n")
            return 2
        return 0
    if argv[:1] == ["torch-args"] and len(argv) >= 2:
        gpu = argv[2:3] not in ([], [""], ["0"])
        index = argv[3] if len(argv) > 3 else ""
        print(" ".join(torch_args(argv[1], gpu=gpu, index=index)))
        return 0
    sys.stderr.write("usage: python -m grader.install check-python [NAME] | "
                     "torch-args SPEC [GPU] [INDEX]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
