"""``grader gradescope-zip``: the zip unpacked as Gradescope does, both scripts run."""
import json
import os
import subprocess
import zipfile

from conftest import REFERENCE, REPO, run_grader

STUB_NOTEBOOK = (REPO / "assignments" / "hw1" / "hw1.ipynb").read_text()


def test_zip_layout_and_no_other_assignment(tmp_path):
    archive = tmp_path / "hw1-autograder.zip"
    proc = run_grader("gradescope-zip", "--assignment", "hw1", "--out", archive)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "grader/checks/hw1/hidden/test_softmax.py" in names   # the grade of record
    assert not [n for n in names if n.startswith("grader/checks/hw2/") or "__pycache__" in n]
    assert not [n for n in names if n.startswith(("reference/", "tests/"))]
    bad = run_grader("gradescope-zip", "--assignment", "hw1", "--out", tmp_path / "x.tar")
    assert bad.returncode == 2 and ".zip" in bad.stderr


def test_setup_and_run_autograder_grade_a_submission_with_a_helper_file(tmp_path):
    """Unpacked like Gradescope: the zip in source/, setup.sh builds the venv, then
    run_autograder grades submission/ (a notebook and a helper .py)."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    archive = tmp_path / "ag.zip"
    assert run_grader("gradescope-zip", "--assignment", "hw1", "--out", archive).returncode == 0
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / script, 0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           # this machine reaches PyPI, not PyTorch's CPU index; the pin resolves to CPU here
           "GRADER_TORCH": "torch==2.13.0"}
    env.pop("PYTHONPATH", None)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=1800)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    (root / "submission" / "hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    (root / "submission" / "helpers.py").write_text("def helper():\n    return 1\n")
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 47, data["output"]
    assert "ignored: helpers.py (only hw1.py is graded)" in data["output"]
    assert not [t for t in data["tests"] if t["name"].endswith("gpu_parity")]
    assert "Not run here, 0 points" in data["output"] or os.path.exists("/dev/nvidia0")
    (root / "submission" / "hw1.py").unlink()
    (root / "submission" / "hw1.ipynb").write_text(STUB_NOTEBOOK)
    subprocess.run([str(root / "source" / "run_autograder")], env=env, check=True, timeout=600)
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and "could not be read" not in data["output"]
    assert {t["status"] for t in data["tests"]} == {"failed"}


def test_a_grader_that_fails_before_results_records_no_score(tmp_path):
    """Our failure must not become the student's 0: no results.json, a non-zero exit
    (Gradescope then shows the run as failed to staff and records no score)."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "venv" / "bin").mkdir(parents=True)
    fake_python = root / "venv" / "bin" / "python"
    fake_python.write_text("#!/bin/sh\necho 'Traceback: the grader broke' >&2\nexit 3\n")
    fake_python.chmod(0o755)
    template = REPO / "grader" / "instructor" / "gradescope_template" / "run_autograder"
    script = root / "source" / "run_autograder"
    script.write_text(template.read_text().replace("@ASSIGNMENT@", "hw1"))
    script.chmod(0o755)
    run = subprocess.run([str(script)], env={**os.environ, "AUTOGRADER_ROOT": str(root)},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert not (root / "results" / "results.json").exists()
    assert "no score was recorded" in run.stderr and "exit 3" in run.stderr
