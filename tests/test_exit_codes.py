"""A grader bug in any entry point: one line, exit 3, the traceback in a log.

Each command runs in this process with the function it relies on replaced by
one that raises an unexpected exception (a grader bug, not bad input).  The
user sees one line naming the log; the log holds the traceback; stdout and
stderr hold no traceback.  ``grader.check()`` in a notebook shows one line
under the cell instead of an exit status.
"""
import tempfile

import pytest

from grader import cli, incell, report, spawner

BUG = "unexpected-bug-7c1d"


def _raise(*args, **kwargs):
    raise RuntimeError(f"{BUG}\nsecond line of the message [/] [red]")


@pytest.fixture
def quiet_machine(monkeypatch, tmp_path):
    """No fork server, no sandbox check, logs in ``tmp_path/tmp``."""
    monkeypatch.setattr(spawner, "start", lambda: None)
    monkeypatch.setattr(spawner, "allow_unisolated", lambda: None)
    monkeypatch.setattr(spawner, "require_isolation", lambda: None)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _stub(tmp_path):
    path = tmp_path / "hw1.py"
    path.write_text("def softmax(X):\n    return X\n")
    return path


COMMANDS = {
    "grade": ("grader.grading.grade", lambda t: ["grade", str(_stub(t)), "--assignment", "hw1"]),
    "test": ("grader.grading.grade", lambda t: ["test", "--assignment", "hw1"]),
    "ci": ("grader.grading.grade",
           lambda t: ["ci", "--assignment", "hw1", "--path", str(_stub(t))]),
    "batch": ("grader.instructor.batch.run_batch",
              lambda t: ["batch", str(t), "--assignment", "hw1", "--out", str(t / "out"),
                         "--no-progress"]),
    "gradescope": ("grader.instructor.autograder.run",
                   lambda t: ["gradescope", "--assignment", "hw1", "--submission", str(t),
                              "--results", str(t / "results.json")]),
    "gradescope-zip": ("grader.instructor.gradescope_zip.build",
                       lambda t: ["gradescope-zip", "--assignment", "hw1", "--out",
                                  str(t / "a.zip")]),
    "release": ("grader.instructor.release.build",
                lambda t: ["release", "--assignment", "hw1", "--out", str(t / "rel")]),
    "fork server": ("grader.spawner.start",
                    lambda t: ["grade", str(_stub(t)), "--assignment", "hw1"]),
    "--json": ("grader.report.write_json",
               lambda t: ["grade", str(_stub(t)), "--assignment", "hw1", "--json",
                          str(t / "r.json")]),
}


def _log_of(capsys_text: str, folders) -> str:
    logs = [p for folder in folders for p in folder.glob("grader-error-*.log")]
    assert len(logs) == 1, capsys_text
    assert logs[0].name in capsys_text
    return logs[0].read_text()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_grader_bug_exits_3_with_one_line_and_a_log(command, quiet_machine, monkeypatch,
                                                       capsys):
    target, argv = COMMANDS[command]
    module, name = target.rsplit(".", 1)
    if command == "--json":   # grading itself succeeds, writing the JSON fails
        monkeypatch.setattr("grader.cli.grade_explained", lambda *a, **k: _fake_result())
    monkeypatch.setattr(f"{module}.{name}", _raise)
    (quiet_machine / "out").mkdir()
    rc = cli.main(argv(quiet_machine))
    out, err = capsys.readouterr()
    assert rc == cli.EXIT_HARNESS == 3, out + err
    assert "Traceback (most recent call last)" not in out + err
    line = next(line for line in err.splitlines() if BUG in line)   # one line says it all
    assert f"RuntimeError: {BUG} second line of the message [/] [red]" in line
    assert "a bug in the grader" in line
    log = _log_of(err, [quiet_machine / "out", quiet_machine / "tmp"])
    assert "Traceback (most recent call last)" in log and BUG in log


def test_batch_logs_go_to_its_output_folder(quiet_machine, monkeypatch, capsys):
    monkeypatch.setattr("grader.instructor.batch.run_batch", _raise)
    (quiet_machine / "out").mkdir()
    cli.main(COMMANDS["batch"][1](quiet_machine))
    assert list((quiet_machine / "out").glob("grader-error-*.log"))
    assert not list((quiet_machine / "tmp").glob("grader-error-*.log"))


def test_expected_errors_keep_their_own_exit_codes(quiet_machine, monkeypatch, capsys):
    from grader.errors import ConfigError, HarnessError

    def config_error(*a, **k):
        raise ConfigError("rubric.toml: [components.a]: unknown key 'baned'")

    def harness_error(*a, **k):
        raise HarnessError("worker broke the protocol")

    monkeypatch.setattr("grader.grading.grade", config_error)
    assert cli.main(["grade", str(_stub(quiet_machine)), "--assignment", "hw1"]) == 2
    monkeypatch.setattr("grader.grading.grade", harness_error)
    assert cli.main(["grade", str(_stub(quiet_machine)), "--assignment", "hw1"]) == 3
    out, err = capsys.readouterr()
    assert "[components.a]: unknown key 'baned'" in err   # brackets are text, not markup
    assert "worker broke the protocol" in err
    assert not list((quiet_machine / "tmp").glob("grader-error-*.log"))   # not bugs


def test_a_log_that_cannot_be_written_is_said_so(quiet_machine, monkeypatch, capsys):
    monkeypatch.setattr("grader.grading.grade", _raise)
    monkeypatch.setattr(tempfile, "tempdir", str(quiet_machine / "missing"))
    assert cli.main(["grade", str(_stub(quiet_machine)), "--assignment", "hw1"]) == 3
    err = capsys.readouterr().err
    assert "no log:" in err and "Traceback" not in err


def _fake_result():
    from grader import scoring
    from grader.rubric import load_rubric
    return scoring.not_graded(load_rubric("hw1"), "nothing")


class _Shell:
    user_ns = {"In": ["", "def softmax(X):\n    return X\n"]}


@pytest.mark.parametrize("broken", ["grade_cells", "result_from_json", "_show"])
def test_grader_check_in_a_notebook_shows_one_line_for_a_grader_bug(broken, quiet_machine,
                                                                      monkeypatch):
    shown = []
    monkeypatch.setattr(incell, "_shell", lambda: _Shell())
    monkeypatch.setattr(incell, "_show_error", shown.append)
    monkeypatch.setattr(incell, "grade_cells", lambda *a: report.to_json(_fake_result()))
    monkeypatch.setattr(incell, "_show", lambda result: None)
    monkeypatch.setattr(incell, broken, _raise)
    assert incell.check("softmax", assignment="hw1") is None
    assert len(shown) == 1 and "\n" not in shown[0] and "Traceback" not in shown[0]
    assert BUG in shown[0] and "bug in the grader" in shown[0]
    log = _log_of(shown[0], [quiet_machine / "tmp"])
    assert "Traceback (most recent call last)" in log and BUG in log
