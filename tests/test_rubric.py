"""Rubrics are validated data: a broken one gets a clear error, not a wrong score."""
import pytest

from grader import rubric
from grader.errors import ConfigError


@pytest.mark.parametrize("assignment", ["hw1", "hw2"])
def test_shipped_rubrics_load(assignment):
    loaded = rubric.load_rubric(assignment)
    assert loaded.max_score > 0
    for component in loaded.components:
        assert component.checks[-1].name == "from_scratch" and component.checks[-1].gate


def test_component_names_match_the_documented_json():
    assert [c.name for c in rubric.load_rubric("hw1").components] == [
        "softmax", "cross_entropy", "sgd", "relu", "mlp_scratch"]
    assert [c.name for c in rubric.load_rubric("hw2").components] == [
        "dropout", "im2col", "conv2d", "max_pool2d"]


def write(tmp_path, monkeypatch, text):
    monkeypatch.setattr(rubric.config, "CHECKS_DIR", tmp_path)
    (tmp_path / "hwx").mkdir()
    (tmp_path / "hwx" / "rubric.toml").write_text(text)


@pytest.mark.parametrize("text, words", [
    ("[components.a.checks.b]\nkind = 'nope'\npoints = 1\ndescription = 'x'", "kind must be"),
    ("[components.a.checks.b]\nkind = 'api'\npoints = -1\ndescription = 'x'", "points must"),
    ("[components.a.checks.b]\nkind = 'api'\npoints = 1", "description"),
    ("[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'\npoint = 2", "unknown keys"),
    ("[components.a]\ntitle = 'x'", "no checks"),
    ("components = [", "not valid TOML"),
])
def test_bad_rubrics_are_refused(tmp_path, monkeypatch, text, words):
    write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError, match=words):
        rubric.load_rubric("hwx")


def test_unknown_assignment_lists_known_ones():
    with pytest.raises(ConfigError, match="hw1"):
        rubric.load_rubric("hw9")


@pytest.mark.parametrize("ban", ["aten::sofmax", "torch.nn.functional.sofmax", "torhc.optim",
                                 "aten::_scaled_dot_prodcut*"])
def test_unknown_ban_names_are_refused_by_name(tmp_path, monkeypatch, ban):
    write(tmp_path, monkeypatch, f"[components.a]\nbanned = ['{ban}']\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError, match=ban.replace("*", r"\*")):
        rubric.load_rubric("hwx")


def test_every_form_of_a_ban_is_known_to_torch():
    """The shipped lists name operators, prefixes, callables and scopes that exist."""
    for assignment in ("hw1", "hw2"):
        for component in rubric.load_rubric(assignment).components:
            assert component.banned, component.name


def test_a_checks_own_timeout_is_read(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a.checks.slow]\nkind = 'training'\npoints = 1\n"
          "description = 'x'\ntimeout = 42\n"
          "[components.a.checks.quick]\nkind = 'api'\npoints = 1\ndescription = 'y'")
    checks = {c.name: c for c in rubric.load_rubric("hwx").components[0].checks}
    assert checks["slow"].timeout == 42.0
    assert checks["quick"].timeout == rubric.config.CHECK_TIMEOUT_S != 42.0


def test_components_are_found_by_name_and_list_their_bans():
    loaded = rubric.load_rubric("hw1")
    assert loaded.component("relu").name == "relu"
    with pytest.raises(KeyError, match="nope"):
        loaded.component("nope")
    bans = loaded.bans()
    assert list(bans) == [c.name for c in loaded.components]
    assert bans["softmax"] == list(loaded.component("softmax").banned) and bans["softmax"]
    assert "softmax" in loaded.student_names() and "SGD" in loaded.student_names()


def test_every_field_of_a_check_is_read_with_its_default(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "title = 'Homework X'\nsubmission_budget = 99\n"
          "[components.a]\ntitle = 'A'\ndefines = ['a', 'b']\n"
          "[components.a.checks.full]\nkind = 'property'\npoints = 2.5\ndescription = 'd'\n"
          "hint = 'h'\nhidden = true\ngate = true\nrequires = ['bare']\n"
          "[components.a.checks.bare]\nkind = 'api'\npoints = 1\ndescription = 'e'\nhidden = true")
    loaded = rubric.load_rubric("hwx")
    assert (loaded.assignment, loaded.title, loaded.budget_s) == ("hwx", "Homework X", 99.0)
    [component] = loaded.components
    assert (component.name, component.title, component.defines, component.banned) == (
        "a", "A", ("a", "b"), ())
    full, bare = component.checks
    assert (full.name, full.kind, full.points, full.description, full.hint, full.hidden,
            full.gate, full.requires) == ("full", "property", 2.5, "d", "h", True, True, ("bare",))
    assert (bare.hint, bare.hidden, bare.gate, bare.requires) == ("", True, False, ())
    assert loaded.max_score == component.max_score == 3.5
    assert loaded.student_names() == {"a", "b"}


def test_defaults_of_a_bare_rubric(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a.checks.b]\nkind = 'api'\npoints = 1\n"
          "description = 'x'")
    loaded = rubric.load_rubric("hwx")
    assert (loaded.title, loaded.budget_s, loaded.components[0].title,
            loaded.components[0].defines) == ("hwx", rubric.config.SUBMISSION_BUDGET_S, "a", ("a",))
    assert loaded.components[0].checks[0].hidden is False and not loaded.components[0].checks[0].gate


@pytest.mark.parametrize("bans, words", [
    ("['record:Optimizer.step#*', 'torch.nn.functional.sofmax']", "sofmax"),
    ("['aten::_softmax*', 'aten::sofmax']", "aten::sofmax"),
    ("[3]", "banned names are strings, got 3"),
    ("['']", "banned names are strings"),
])
def test_every_ban_of_a_list_is_checked(tmp_path, monkeypatch, bans, words):
    write(tmp_path, monkeypatch, f"[components.a]\nbanned = {bans}\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError, match=words):
        rubric.load_rubric("hwx")


def test_a_mistyped_operator_gets_suggestions(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['aten::_softma']\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hwx")
    assert "similar: ['aten::" in str(info.value) and "aten::_masked_softmax'" in str(info.value)
    write_prefix = "[components.a]\nbanned = ['aten::qqqzzz*']\n"
    (tmp_path / "hwx" / "rubric.toml").write_text(
        write_prefix + "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError, match="similar: none"):
        rubric.load_rubric("hwx")


def test_known_bans_of_every_form_are_accepted(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['record:Optimizer.step#*', "
          "'aten::_softmax', 'aten::_soft*', 'torch.nn.functional.softmax', 'torch.optim']\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    assert rubric.load_rubric("hwx").components[0].banned[0] == "record:Optimizer.step#*"


def test_a_cycle_of_requires_is_refused(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch,
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'\nrequires = ['c']\n"
          "[components.a.checks.c]\nkind = 'api'\npoints = 1\ndescription = 'x'\nrequires = ['d']\n"
          "[components.a.checks.d]\nkind = 'api'\npoints = 1\ndescription = 'x'\nrequires = ['b']\n")
    with pytest.raises(ConfigError, match="a.b requires itself through a chain"):
        rubric.load_rubric("hwx")
