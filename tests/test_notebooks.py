"""Realistic hw1 submissions (an LMS download) graded end to end by the real CLI.

The files in ``tests/fixtures/submissions/hw1/`` are built by
``tests/fixtures/make_submissions.py``; ``tests/fixtures/submissions/README.md``
says what each one demonstrates.  Grading one takes 5-8 s, so each file is
graded once per session: results are cached in the session's temporary
folder, shared by xdist workers under a file lock.
"""
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import REPO, run_grader

FIXTURES = REPO / "tests" / "fixtures"
SUBMISSIONS = FIXTURES / "submissions" / "hw1"
COMPONENTS = ["softmax", "cross_entropy", "sgd", "relu", "mlp_scratch"]
CANVAS_NAME = re.compile(r"^(?P<login>[a-z]+)(?P<late>_late)?_(?P<user>\d+)_(?P<sub>\d+)_.+\.ipynb$")
LOGINS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]


@dataclass
class Graded:
    returncode: int
    stdout: str
    stderr: str
    result: dict | None

    def component(self, name: str) -> dict:
        return next(c for c in self.result["components"] if c["name"] == name)

    def lost(self) -> set[str]:
        """``component.check`` for every check that did not pass."""
        return {f"{c['name']}.{k['name']}" for c in self.result["components"]
                for k in c["checks"] if not k["passed"] and k["status"] != "skipped"}

    def problems(self, kind: str | None = None) -> list[dict]:
        return [p for p in self.result["load_problems"] if kind is None or p["type"] == kind]

    def explain(self) -> str:
        return f"exit {self.returncode}\n{self.stdout[-3000:]}\n{self.stderr[-2000:]}"


def submission(login: str) -> Path:
    [path] = [p for p in SUBMISSIONS.iterdir() if CANVAS_NAME.match(p.name)
              and CANVAS_NAME.match(p.name)["login"] == login]
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``graded(login)``: that student's file graded once by the CLI for the whole session."""
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "notebook-grades"
    cache.mkdir(exist_ok=True)
    memo: dict[str, Graded] = {}

    def get(login: str) -> Graded:
        if login not in memo:
            stamp = cache / f"{login}.json"
            with FileLock(str(stamp) + ".lock"):
                if not stamp.exists():
                    stamp.write_text(json.dumps(_grade(submission(login), cache)))
                memo[login] = Graded(**json.loads(stamp.read_text()))
        return memo[login]
    return get


def _grade(path: Path, folder: Path) -> dict:
    """One CLI run, as ``conftest.grade_json`` does, but also when no JSON is written."""
    out = folder / f"result-{path.stem}.json"
    proc = run_grader("grade", path, "--assignment", "hw1", "--json", out)
    return {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
            "result": json.loads(out.read_text()) if out.exists() else None}


def assert_full_marks(g: Graded) -> None:
    assert g.result is not None, g.explain()
    assert g.lost() == set(), g.explain()
    assert g.result["score"] == g.result["max_score"] == 47
    assert [c["status"] for c in g.result["components"]] == ["full"] * 5
    assert g.returncode == 0, g.explain()


# ----------------------------------------------------------------- the fixture files themselves

def _maker():
    spec = importlib.util.spec_from_file_location("make_submissions",
                                                  FIXTURES / "make_submissions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fixtures_are_rebuilt_from_the_script(capsys):
    assert _maker().main(["--check"]) == 0, capsys.readouterr().out


def test_fixtures_are_a_canvas_download():
    names = sorted(p.name for p in SUBMISSIONS.iterdir())
    assert all(CANVAS_NAME.match(n) for n in names), names
    assert sorted(CANVAS_NAME.match(n)["login"] for n in names) == LOGINS
    assert [n for n in names if CANVAS_NAME.match(n)["late"]] == ["dave_late_1004_5004_hw1.ipynb"]
    readme = (FIXTURES / "submissions" / "README.md").read_text()
    assert all(name in readme for name in names)


def test_fixtures_have_the_advertised_quirks():
    bob = json.loads(submission("bob").read_text())
    assert "colab" in bob["metadata"] and not {"kernelspec", "language_info"} & set(bob["metadata"])
    sources = ["".join(c["source"]) for c in bob["cells"] if c["cell_type"] == "code"]
    assert sources[0] == "!pip install d2l==1.0.3" and "from d2l import torch as d2l" in sources[1]
    assert "trainer.fit(model, data)" in sources[-1]
    with pytest.raises(json.JSONDecodeError):
        json.loads(submission("dave").read_text())
    assert submission("erin").read_text().startswith("#")
    frank = json.loads(submission("frank").read_text())
    assert frank["nbformat"] == 3 and frank["worksheets"][0]["cells"][2]["input"]
    assert json.loads(submission("heidi").read_text())["cells"] == []
    ivan = submission("ivan").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        ivan.decode("utf-8")
    assert "é".encode("latin-1") in ivan and len(ivan) > 2_000_000


# ----------------------------------------------------------------- grades

def test_alice_clean_notebook_full_marks(graded):
    g = graded("alice")
    assert_full_marks(g)
    assert {p["type"] for p in g.problems()} == {"Skipped"}  # only the test prints


def test_bob_colab_d2l_loses_exactly_stability_no_grad_none_grad_and_generator(graded):
    """d2l's verbatim SGD: no no_grad of its own, keeps the generator, and updates a
    parameter whose grad is None (the stub asks to skip it)."""
    g = graded("bob")
    assert g.returncode == 1, g.explain()
    assert g.lost() == {"softmax.numerically_stable", "sgd.step_outside_no_grad",
                        "sgd.accepts_generator", "sgd.zero_grad_before_first_backward"}, \
        g.explain()
    assert g.result["score"] == 43
    assert [g.component(n)["status"] for n in COMPONENTS] == \
        ["partial", "full", "partial", "full", "full"]


def test_bob_training_cell_is_reported_as_skipped(graded):
    g = graded("bob")
    assert {p["type"] for p in g.problems()} == {"Skipped"}, g.problems()
    [skipped] = g.problems("Skipped")
    assert re.search(r"\bcell 15\b", skipped["where"]), skipped  # the Trainer.fit cell
    assert "not run" in skipped["message"]


def test_carol_partial_credit(graded):
    g = graded("carol")
    assert g.returncode == 1, g.explain()
    relu = g.component("relu")
    assert relu["status"] == "not_implemented" and relu["score"] == 0
    assert {k["status"] for k in relu["checks"]} - {"skipped"} == {"not_implemented"}
    for name in ("softmax", "cross_entropy"):
        component = g.component(name)
        assert component["status"] == "partial", component
        reference = [k for k in component["checks"] if k["kind"] == "reference"]
        assert reference and not any(k["passed"] for k in reference), reference
    assert g.component("sgd")["status"] == "full"
    # MLPScratch itself is correct; its training check runs it with carol's own
    # (broken) softmax and cross_entropy, as the rubric says, and only that check fails.
    assert {x for x in g.lost() if x.startswith("mlp_scratch.")} <= \
        {"mlp_scratch.learns_with_own_pieces"}, g.lost()


def test_carol_endless_loop_is_skipped_not_timed_out(graded):
    g = graded("carol")
    types = {p["type"] for p in g.problems()}
    assert types == {"Skipped"}, g.problems()
    assert any(re.search(r"\bcell 9\b", p["where"]) for p in g.problems("Skipped"))
    statuses = {k["status"] for c in g.result["components"] for k in c["checks"]}
    assert "timeout" not in statuses
    assert "timed out" not in (g.stdout + g.stderr).lower()


def test_dave_truncated_notebook_is_a_usage_error(graded):
    g = graded("dave")
    path = submission("dave")
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(path.read_text())
    assert g.returncode == 2, g.explain()
    assert g.result is None
    message = " ".join(g.stderr.split())  # rich wraps long lines
    assert f"{path.name} is not a valid notebook" in message, message
    assert f"invalid JSON at line {info.value.lineno}" in message, message
    assert "Traceback" not in g.stderr


def test_erin_python_file_named_ipynb(graded):
    g = graded("erin")
    assert_full_marks(g)
    [note] = g.problems("NotANotebook")
    assert "Python source, not a notebook" in note["message"]


def test_frank_nbformat_v3_full_marks(graded):
    assert_full_marks(graded("frank"))


def test_grace_banned_builtins(graded):
    g = graded("grace")
    assert g.returncode == 1, g.explain()
    for name, banned in (("softmax", "torch.nn.functional.softmax"), ("sgd", "torch.optim")):
        component = g.component(name)
        assert (component["score"], component["status"]) == (0, "banned"), component
        assert banned in component["message"]
    for name in ("cross_entropy", "relu", "mlp_scratch"):
        assert g.component(name)["status"] == "full", g.component(name)
    assert g.result["score"] == 47 - 10 - 10


def test_heidi_empty_notebook(graded):
    g = graded("heidi")
    assert g.returncode == 1, g.explain()
    assert [g.component(n)["status"] for n in COMPONENTS] == ["not_implemented"] * 5
    assert g.result["score"] == 0
    assert [p["type"] for p in g.problems()] == ["Empty"]


def test_ivan_messy_notebook_full_marks(graded):
    g = graded("ivan")
    assert_full_marks(g)
    [syntax] = g.problems("SyntaxError")
    assert re.search(r"\bcell 4\b", syntax["where"]), syntax
    assert len(g.result["student_output"]) < 100_000  # the 2 MB stored output is not replayed
