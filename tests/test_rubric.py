"""Rubrics are validated data: a broken one gets a clear error, not a wrong score."""
import sys

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
    ("[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'\npoint = 2", "unknown key 'point'; did you mean 'points'"),
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


CHECK = "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'\n"


@pytest.mark.parametrize("text, table, key, meant", [
    ("[components.a]\nbaned = ['torch.softmax']\n" + CHECK, "[components.a]", "baned", "banned"),
    ("[components.a]\ndefine = ['f']\n" + CHECK, "[components.a]", "define", "defines"),
    ("[components.a]\ntitel = 'A'\n" + CHECK, "[components.a]", "titel", "title"),
    ("[components.a]\nbanned_optinal = ['aten::x']\n" + CHECK, "[components.a]",
     "banned_optinal", "banned_optional"),
    (CHECK + "hiden = true", "[components.a.checks.b]", "hiden", "hidden"),
    (CHECK + "requries = []", "[components.a.checks.b]", "requries", "requires"),
    (CHECK + "timout = 3", "[components.a.checks.b]", "timout", "timeout"),
    ("[components.a.check.b]\nkind = 'api'\npoints = 1\ndescription = 'x'\n" + CHECK,
     "[components.a]", "check", "checks"),
    ("submision_budget = 30\n" + CHECK, "top level", "submision_budget", "submission_budget"),
    ("[component.a]\ntitle = 'x'\n" + CHECK, "top level", "component", "components"),
    ("titel = 'x'\n" + CHECK, "top level", "titel", "title"),
])
def test_a_misspelled_key_names_the_file_table_key_and_the_closest_valid_one(
        tmp_path, monkeypatch, text, table, key, meant):
    write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hwx")
    message = str(info.value)
    assert str(tmp_path / "hwx" / "rubric.toml") in message
    assert f"{table}: unknown key {key!r}; did you mean {meant!r}?" in message


def test_a_key_like_no_valid_one_lists_the_valid_keys(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, CHECK + "zzzz = 1")
    with pytest.raises(ConfigError, match="unknown key 'zzzz'; the keys allowed there: kind, "):
        rubric.load_rubric("hwx")


@pytest.mark.parametrize("ban, closest", [
    ("aten::sofmax", "aten::softmax"),
    ("torch.nn.functional.sofmax", "torch.nn.functional.softmax"),
    ("torch.nn.functional.softmx", "torch.nn.functional.softmax"),
    ("torhc.optim", "torch"),
])
def test_an_unknown_ban_names_the_entry_and_the_closest_name(tmp_path, monkeypatch, ban, closest):
    write(tmp_path, monkeypatch, f"[components.a]\nbanned = ['{ban}']\n" + CHECK)
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hwx")
    assert f"component 'a' bans {ban!r}" in str(info.value)
    assert closest in str(info.value).split("closest:")[1]
    assert "banned_optional" in str(info.value)


@pytest.mark.parametrize("value", ["'torch.softmax'", "[1]", "['']"])
def test_a_ban_list_of_the_wrong_shape_is_refused(tmp_path, monkeypatch, value):
    write(tmp_path, monkeypatch, f"[components.a]\nbanned = {value}\n" + CHECK)
    with pytest.raises(ConfigError, match="`banned` must be a list of names"):
        rubric.load_rubric("hwx")


def test_optional_bans_ban_what_exists_and_record_what_does_not(tmp_path, monkeypatch):
    """Operators that some torch versions lack are listed on purpose, not dropped silently."""
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['torch.softmax']\n"
          "banned_optional = ['aten::_softmax', 'aten::_softmax_from_a_future_torch', "
          "'torch.nn.functional.not_yet_there']\n" + CHECK)
    component = rubric.load_rubric("hwx").component("a")
    assert component.banned == ("torch.softmax", "aten::_softmax")
    assert component.absent_optional == ("aten::_softmax_from_a_future_torch",
                                         "torch.nn.functional.not_yet_there")


def test_a_misspelled_profiler_scope_is_refused(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['record:Optimizer.stpe#*']\n" + CHECK)
    with pytest.raises(ConfigError, match=r"bans 'record:Optimizer.stpe#\*', which is no "
                                          "profiler scope torch.optim opens"):
        rubric.load_rubric("hwx")


@pytest.mark.parametrize("text, words", [
    (CHECK + "hidden = 'false'", "hidden must be true or false"),
    (CHECK + "gate = 1", "gate must be true or false"),
    (CHECK + "timeout = 0", "timeout must be a number of seconds > 0"),
    (CHECK + "timeout = '5'", "timeout must be a number of seconds > 0"),
    ("submission_budget = -1\n" + CHECK, "submission_budget must be a number of seconds > 0"),
])
def test_values_of_the_wrong_type_are_refused(tmp_path, monkeypatch, text, words):
    """A quoted 'false' is a true value in Python: it would hide a check."""
    write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError, match=words):
        rubric.load_rubric("hwx")

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
    ("[3]", "`banned` must be a list of names"),
    ("['']", "`banned` must be a list of names"),
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
    assert "closest: aten::_softmax, " in str(info.value)
    write_prefix = "[components.a]\nbanned = ['aten::qqqzzz*']\n"
    (tmp_path / "hwx" / "rubric.toml").write_text(
        write_prefix + "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError, match="which is no operator of this torch; fix the name") as info:
        rubric.load_rubric("hwx")
    assert "closest" not in str(info.value)


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


def test_a_rubric_is_parsed_once_per_text_and_again_when_it_changes(tmp_path, monkeypatch):
    """A batch loads the rubric per submission: the same text is not validated again."""
    write(tmp_path, monkeypatch, "[components.a.checks.b]\nkind = 'api'\npoints = 1\n"
          "description = 'x'")
    first = rubric.load_rubric("hwx")
    assert rubric.load_rubric("hwx") is first
    (tmp_path / "hwx" / "rubric.toml").write_text(
        "[components.a.checks.b]\nkind = 'api'\npoints = 2\ndescription = 'x'")
    assert rubric.load_rubric("hwx").max_score == 2
    monkeypatch.setattr(rubric.config, "CHECK_TIMEOUT_S", 123.0)   # a default it took
    assert rubric.load_rubric("hwx").components[0].checks[0].timeout == 123.0


# --- exact messages and values (mutation survivors of issue 16) ------------------------

def _refusal(tmp_path, monkeypatch, text) -> str:
    write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hwx")
    return str(info.value)


def test_a_bad_kind_is_refused_with_the_file_check_kinds_and_a_suggestion(tmp_path, monkeypatch):
    path = tmp_path / "hwx" / "rubric.toml"
    message = _refusal(tmp_path, monkeypatch, CHECK.replace("'api'", "'propery'"))
    assert message == (f"{path}: check a.b: kind must be one of api, property, reference, "
                       "gradient, device, stability, training, scratch, parity, "
                       "got 'propery' (did you mean 'property'?)")


def test_requires_errors_name_the_file_the_check_and_the_siblings(tmp_path, monkeypatch):
    path = tmp_path / "hwx" / "rubric.toml"
    two = CHECK + "requires = ['zz']\n[components.a.checks.c]\nkind = 'api'\npoints = 1\n" \
                  "description = 'y'\n"
    assert _refusal(tmp_path, monkeypatch, two) == (
        f"{path}: check a.b requires 'zz', which is not another check of 'a' (its checks: b, c)")
    hidden = CHECK + "requires = ['c']\n[components.a.checks.c]\nkind = 'api'\npoints = 1\n" \
                     "description = 'y'\nhidden = true\n"
    (tmp_path / "hwx" / "rubric.toml").write_text(hidden)
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hwx")
    assert str(info.value) == (
        f"{path}: public check a.b requires the hidden check 'c'; student releases leave "
        "hidden checks out, so require a public one")


def test_a_cycle_behind_a_check_is_found_once_not_walked_forever(tmp_path, monkeypatch):
    """`a` needs `b`, and `b` and `c` need each other: the walk from `a` must end."""
    import threading
    text = "".join(f"[components.x.checks.{name}]\nkind = 'api'\npoints = 1\ndescription = 'd'\n"
                   f"requires = ['{needs}']\n" for name, needs in (("a", "b"), ("b", "c"), ("c", "b")))
    found = []
    walker = threading.Thread(target=lambda: found.append(_refusal(tmp_path, monkeypatch, text)),
                              daemon=True)
    walker.start()
    walker.join(timeout=10)
    assert not walker.is_alive(), "the walk over `requires` did not end"
    assert found[0].endswith("check x.b requires itself through a chain of `requires`")


def test_ban_errors_name_the_file_and_the_component(tmp_path, monkeypatch):
    path = tmp_path / "hwx" / "rubric.toml"
    message = _refusal(tmp_path, monkeypatch, "[components.a]\nbanned = ['aten::qqqzzz']\n" + CHECK)
    assert message == (f"{path}: component 'a' bans 'aten::qqqzzz', which is no operator of this "
                       "torch; fix the name, or list it in `banned_optional` if this torch may "
                       "lack it")


def test_an_operator_prefix_must_match_up_to_its_last_letter(tmp_path, monkeypatch):
    """`aten::_softmaz*` bans nothing even though `aten::_softma*` would ban something."""
    message = _refusal(tmp_path, monkeypatch, "[components.a]\nbanned = ['aten::_softmaz*']\n" + CHECK)
    assert "bans 'aten::_softmaz*', which is no operator of this torch; closest: " in message


def test_an_unknown_module_attribute_lists_three_close_names(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch,
                       "[components.a]\nbanned = ['torch.nn.functional.sofmax']\n" + CHECK)
    closest = message.split("which names no module or attribute of one; closest: ")[1]
    assert len(closest.split(";")[0].split(", ")) == 3
    assert closest.startswith("torch.nn.functional.softmax, ")


def test_an_unknown_assignment_names_the_known_ones_exactly():
    with pytest.raises(ConfigError) as info:
        rubric.load_rubric("hw9")
    assert str(info.value).endswith("rubric.toml is missing); known assignments: hw1, hw2")


@pytest.mark.parametrize("text", ["title = 'T'\n", "[components]\n"])
def test_a_rubric_without_components_says_so(tmp_path, monkeypatch, text):
    path = tmp_path / "hwx" / "rubric.toml"
    assert _refusal(tmp_path, monkeypatch, text) == f"{path}: no [components.*] tables"


def test_the_assignment_key_and_the_folder_are_read(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "assignment = 'hw_other'\n" + CHECK)
    loaded = rubric.load_rubric("hwx")
    assert (loaded.assignment, loaded.title, loaded.directory) == ("hw_other", "hwx", tmp_path / "hwx")
    check = loaded.components[0].checks[0]
    assert check == rubric.Check("b", "api", 1.0, "x")   # hidden/gate default False, not None


@pytest.fixture
def fresh_package(tmp_path, monkeypatch):
    """A package on sys.path that nothing has imported: `pkg.sub` is a submodule only."""
    import uuid
    name = f"rubric_probe_{uuid.uuid4().hex[:8]}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("value = 1\n")
    (tmp_path / name / "sub.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_a_module_is_found_without_importing_it(fresh_package):
    import sys
    assert rubric._resolvable(fresh_package)
    assert fresh_package not in sys.modules
    assert rubric._resolvable(f"{fresh_package}.sub")


def test_an_attribute_is_looked_up_in_its_module(fresh_package):
    assert rubric._resolvable(f"{fresh_package}.value")
    assert not rubric._resolvable(f"{fresh_package}.missing")


def test_a_module_that_exists_only_in_sys_modules_is_resolvable(monkeypatch):
    """Modules made at run time (no spec, not on disk) are looked at directly."""
    import sys
    import types
    module = types.ModuleType("rubric_probe_runtime")
    module.f = len
    monkeypatch.setitem(sys.modules, "rubric_probe_runtime", module)
    assert rubric._resolvable("rubric_probe_runtime.f")
    assert not rubric._resolvable("rubric_probe_runtime.g")


def test_a_mistyped_operator_gets_at_most_three_suggestions(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch, "[components.a]\nbanned = ['aten::sofmax']\n" + CHECK)
    closest = message.split("which is no operator of this torch; closest: ")[1].split("; fix")[0]
    assert len(closest.split(", ")) == 3 and "aten::softmax" in closest.split(", ")


def test_a_ban_inside_a_module_that_fails_to_import_is_a_config_error(tmp_path, monkeypatch):
    """Found but broken here (a missing dependency): the ban cannot be enforced, so the
    rubric is refused with a ConfigError, not a traceback."""
    package = tmp_path / "pkgs" / "brokenpkg_for_rubric"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('needs a library not installed')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['brokenpkg_for_rubric.softmax']\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'")
    with pytest.raises(ConfigError, match="brokenpkg_for_rubric.softmax"):
        rubric.load_rubric("hwx")


def test_a_ban_on_an_attribute_of_a_module_not_imported_yet_is_looked_up_in_it(tmp_path,
                                                                                monkeypatch):
    """The module is found, imported to look the attribute up, and the ban accepted; an
    attribute it lacks is refused like any typo."""
    package = tmp_path / "pkgs" / "lazypkg_for_rubric"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def softmax(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    monkeypatch.delitem(sys.modules, "lazypkg_for_rubric", raising=False)
    check = "[components.a.checks.b]\nkind = 'api'\npoints = 1\ndescription = 'x'"
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['lazypkg_for_rubric.softmax']\n"
          + check)
    rubric.load_rubric("hwx")
    monkeypatch.delitem(sys.modules, "lazypkg_for_rubric", raising=False)
    (tmp_path / "hwx" / "rubric.toml").write_text(
        "[components.a]\nbanned = ['lazypkg_for_rubric.sofmax']\n" + check)
    with pytest.raises(ConfigError, match="'lazypkg_for_rubric.sofmax', which names no module"):
        rubric.load_rubric("hwx")


@pytest.mark.parametrize("name", ["aten::__isq", "aten::im2colX"])
def test_a_prefix_bans_star_is_not_part_of_the_suggestions_lookup(name):
    problem = rubric._ban_problem(name + "*")
    assert "; closest: " in problem and problem == rubric._ban_problem(name)


def test_an_operator_nothing_resembles_gets_no_suggestion_list():
    assert rubric._ban_problem("aten::qqqqqqqqqqqq") == "which is no operator of this torch"


@pytest.mark.parametrize("name", ["record:Optimizer.stepX", "record:Optimizer.step#X*",
                                  "record:*", "record:"])
def test_a_profiler_scope_torch_optim_never_opens_is_refused(name):
    assert rubric._ban_problem(name) == ("which is no profiler scope torch.optim opens "
                                         "(e.g. record:Optimizer.step#*)")
    assert rubric._ban_problem("record:Optimizer.step#*") is None


@pytest.mark.parametrize("name, closest", [
    ("torch.sofmax", "torch.softmax"),                        # the module's attributes
    ("torch.nn.functionl.softmax", "torch.nn.functional"),    # the longest resolving prefix
    ("trch.softmax", "torch")])                               # else the top-level modules
def test_a_mistyped_dotted_name_gets_suggestions_next_to_its_first_wrong_part(name, closest):
    problem = rubric._ban_problem(name)
    assert problem.startswith("which names no module or attribute of one; closest: ")
    assert closest in problem.split("closest: ")[1].split(", ")


def test_dotted_suggestions_are_at_most_three_and_none_is_no_list():
    assert len(rubric._ban_problem("cod.x").split("closest: ")[1].split(", ")) == 3
    assert rubric._ban_problem("qqqqqqqqqq.x") == "which names no module or attribute of one"


def test_a_kind_nothing_resembles_gets_no_suggestion(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch, CHECK.replace("'api'", "'qqqqqqqq'"))
    assert message.endswith(", got 'qqqqqqqq'")


def test_a_timeout_under_a_second_is_allowed(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, CHECK + "timeout = 0.5\n")
    [component] = rubric.load_rubric("hwx").components
    assert component.checks[0].timeout == 0.5


@pytest.mark.parametrize("text, message", [
    ("[components.a]\nchecks = 5\n", "[components.a]: checks must be tables: "
                                     "[components.a.checks.NAME]"),
    ("[components.a.checks]\nb = 5\n", "[components.a]: checks must be tables: "
                                       "[components.a.checks.NAME]"),
    ("[components.a]\nbanned = [5]\n" + CHECK, "[components.a]: `banned` must be a list of "
     "names, e.g. [\"torch.softmax\", \"aten::_softmax\"], got [5]"),
    ("[components.a]\nbanned_optional = ''\n" + CHECK, "[components.a]: `banned_optional` "
     "must be a list of names, e.g. [\"torch.softmax\", \"aten::_softmax\"], got ''")])
def test_a_malformed_component_is_refused_naming_the_file_and_table(tmp_path, monkeypatch,
                                                                   text, message):
    assert _refusal(tmp_path, monkeypatch, text) == f"{tmp_path / 'hwx' / 'rubric.toml'}: {message}"


def test_the_same_rubric_text_in_two_folders_is_each_folders_rubric(tmp_path, monkeypatch):
    """Parsed rubrics are cached by text; the folder (where the checks live) is part of the key."""
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, monkeypatch, CHECK)
        assert rubric.load_rubric("hwx").directory == tmp_path / folder / "hwx"


def test_a_rubric_loaded_without_resolving_bans_keeps_its_structure_but_cannot_grade(
        tmp_path, monkeypatch):
    """The batch's own process skips the lookup (the host does it); such a rubric
    still gives components and points, never a ban list to grade with."""
    from grader.errors import HarnessError
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['torch.softmaks']\n"
          "banned_optional = ['aten::not_here']\n"
          "[components.a.checks.b]\nkind = 'api'\npoints = 2\ndescription = 'x'")
    loose = rubric.load_rubric("hwx", resolve_bans=False)
    assert (loose.max_score, loose.component("a").banned) == (2, ("torch.softmaks",))
    with pytest.raises(HarnessError, match="without resolving its bans"):
        loose.bans()
    with pytest.raises(ConfigError, match="torch.softmaks"):   # not the cached loose one
        rubric.load_rubric("hwx")


# --- the full run of 2026-12-02: survivors after `resolve_bans` ------------------------

def test_a_rubric_loaded_without_resolving_bans_reads_every_other_field_the_same(
        tmp_path, monkeypatch):
    """The batch's own process and its scorer host must agree on titles and names."""
    from grader.errors import HarnessError
    write(tmp_path, monkeypatch, "[components.a]\ntitle = 'A'\ndefines = ['a', 'b']\n"
          "banned = ['torch.softmax']\n" + CHECK
          + "[components.bare.checks.c]\nkind = 'api'\npoints = 1\ndescription = 'y'\n")
    loose = rubric.load_rubric("hwx", resolve_bans=False)
    full = rubric.load_rubric("hwx")
    assert loose == full and loose is not full
    for loaded in (loose, full):
        a, bare = loaded.components
        assert (a.title, a.defines, a.banned) == ("A", ("a", "b"), ("torch.softmax",))
        assert (bare.title, bare.defines, bare.banned) == ("bare", ("bare",), ())
    assert full.bans() == {"a": ["torch.softmax"], "bare": []}
    with pytest.raises(HarnessError) as info:
        loose.bans()
    assert str(info.value) == ("this rubric was loaded without resolving its bans "
                               "(load_rubric(..., resolve_bans=False)); it cannot grade")


def test_a_check_is_found_by_its_name(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "[components.a.checks.first]\nkind = 'api'\npoints = 1\n"
          "description = 'x'\n[components.a.checks.second]\nkind = 'property'\npoints = 2\n"
          "description = 'y'")
    component = rubric.load_rubric("hwx").component("a")
    assert (component.check("second").kind, component.check("first").kind) == ("property", "api")


@pytest.mark.parametrize("text", ["components = 5\n", "[components]\na = 1\n"])
def test_components_that_are_not_tables_are_refused_by_name(tmp_path, monkeypatch, text):
    assert _refusal(tmp_path, monkeypatch, text) == (
        f"{tmp_path / 'hwx' / 'rubric.toml'}: `components` must be tables: [components.NAME]")


@pytest.mark.parametrize("value, shown", [("true", "True"), ("'10'", "'10'"), ("0", "0"),
                                          ("-0.5", "-0.5")])
def test_a_submission_budget_that_is_no_positive_number_is_refused(tmp_path, monkeypatch,
                                                                    value, shown):
    assert _refusal(tmp_path, monkeypatch, f"submission_budget = {value}\n" + CHECK) == (
        f"{tmp_path / 'hwx' / 'rubric.toml'}: submission_budget must be a number of "
        f"seconds > 0, got {shown}")


def test_a_budget_of_one_second_is_accepted(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, "submission_budget = 1\n" + CHECK)
    assert rubric.load_rubric("hwx").budget_s == 1.0


def test_an_operator_ban_like_no_operator_gets_no_suggestion(tmp_path, monkeypatch):
    """Only ``*`` is stripped before looking for close names: a name ending in other
    letters is compared whole (here with nothing close to it)."""
    text = "[components.a]\nbanned = ['aten::XXXXXXXXXXXX']\n" + CHECK
    assert _refusal(tmp_path, monkeypatch, text) == (
        f"{tmp_path / 'hwx' / 'rubric.toml'}: component 'a' bans 'aten::XXXXXXXXXXXX', which "
        "is no operator of this torch; fix the name, or list it in `banned_optional` if this "
        "torch may lack it")


def test_a_ban_two_attributes_below_its_module_is_known(tmp_path, monkeypatch):
    """``torch.Tensor.softmax``: a method of a class of a module, looked up attribute by
    attribute from the longest prefix that is a module."""
    write(tmp_path, monkeypatch, "[components.a]\nbanned = ['torch.Tensor.softmax']\n" + CHECK)
    assert rubric.load_rubric("hwx").components[0].banned == ("torch.Tensor.softmax",)
