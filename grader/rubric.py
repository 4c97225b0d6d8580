"""An assignment's rubric: components, their checks and points, as data.

Each ``grader/checks/<assignment>/rubric.toml`` names components in order;
each component lists its banned built-ins and its checks.  A check named
``foo`` of component ``bar`` is the pytest test ``test_foo`` in
``test_bar.py`` beside the rubric, so instructors add a check by writing a
test and one TOML table.
"""
import difflib
import functools
import importlib.util
import pkgutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader import config
from grader.errors import ConfigError, HarnessError

KINDS = ("api", "property", "reference", "gradient", "device", "stability",
         "training", "scratch", "parity")
# Every key a rubric may hold, per table: any other is a typo that would silently
# drop what it meant (a `baned = [...]` would ban nothing), so it is refused.
TOP_KEYS = ("assignment", "title", "submission_budget", "components")
# `banned_optional`: names banned where this torch has them, skipped where it does
# not (operators that come and go between versions); `banned` names must all exist.
COMPONENT_KEYS = ("title", "banned", "banned_optional", "defines", "checks")
CHECK_KEYS = ("kind", "points", "description", "hint", "hidden", "gate", "timeout", "requires")


@dataclass(frozen=True)
class Check:
    name: str
    kind: str
    points: float
    description: str
    hint: str = ""
    hidden: bool = False
    gate: bool = False          # failing it zeroes the whole component
    timeout: float = config.CHECK_TIMEOUT_S
    # Checks of the same component that must pass for this one to earn its points:
    # a property a degenerate function can satisfy (rows that sum to 1, a gradient
    # consistent with a constant) counts only with evidence the function is right.
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    name: str
    title: str
    banned: tuple[str, ...]
    checks: tuple[Check, ...]
    defines: tuple[str, ...] = ()   # names the student writes (default: the component's name)
    # `banned_optional` names this torch does not have: listed in the rubric, banned nothing here
    absent_optional: tuple[str, ...] = ()

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)


@dataclass(frozen=True)
class Rubric:
    assignment: str
    title: str
    components: tuple[Component, ...]
    directory: Path = field(compare=False)
    # wall time for one submission, every check (top-level `submission_budget` key)
    budget_s: float = config.SUBMISSION_BUDGET_S
    # False: loaded with load_rubric(..., resolve_bans=False); no ban list to grade with
    bans_resolved: bool = field(default=True, compare=False)

    def component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    def student_names(self) -> set[str]:
        """Every top-level name the student must define, e.g. {"softmax", "SGD"}."""
        return {name for c in self.components for name in c.defines}

    def bans(self) -> dict[str, list[str]]:
        if not self.bans_resolved:
            raise HarnessError("this rubric was loaded without resolving its bans "
                               "(load_rubric(..., resolve_bans=False)); it cannot grade")
        return {c.name: list(c.banned) for c in self.components}

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.components)


def rubric_path(assignment: str) -> Path:
    return config.CHECKS_DIR / assignment / "rubric.toml"


def load_rubric(assignment: str, resolve_bans: bool = True) -> Rubric:
    """The assignment's rubric, validated.

    ``resolve_bans=False`` skips looking the banned names up in torch (importing
    torch costs about 2 CPU-seconds): for a batch's own process, which grades
    nothing itself; its scorer host loads the rubric in full and reports a bad
    name before any submission is graded.
    """
    path = rubric_path(assignment)
    if not path.exists():
        known = ", ".join(sorted(p.parent.name for p in config.CHECKS_DIR.glob("*/rubric.toml")))
        raise ConfigError(f"no rubric for assignment {assignment!r} ({path} is missing); "
                          f"known assignments: {known}")
    text = path.read_text()
    # A batch grades hundreds of submissions against one rubric: parse and validate it
    # once per text (a Rubric is immutable; the defaults it took from config are in the key).
    key = (str(path), text, assignment, config.CHECK_TIMEOUT_S, config.SUBMISSION_BUDGET_S,
           resolve_bans)
    if key not in _parsed:
        if len(_parsed) >= 8:   # a few assignments in use at a time; edited texts drop out
            del _parsed[next(iter(_parsed))]
        _parsed[key] = _parse(path, text, assignment, resolve_bans)
    return _parsed[key]


_parsed: dict = {}


def _parse(path: Path, text: str, assignment: str, resolve_bans: bool = True) -> Rubric:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    refuse_unknown_keys(path, "top level", data, TOP_KEYS)
    tables = data.get("components", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(f"{path}: `components` must be tables: [components.NAME]")
    components = tuple(_component(path, name, table, resolve_bans)
                       for name, table in tables.items())
    if not components:
        raise ConfigError(f"{path}: no [components.*] tables")
    budget = data.get("submission_budget", config.SUBMISSION_BUDGET_S)
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0:
        raise ConfigError(f"{path}: submission_budget must be a number of seconds > 0, "
                          f"got {budget!r}")
    return Rubric(data.get("assignment", assignment), data.get("title", assignment),
                  components, path.parent, float(budget), bans_resolved=resolve_bans)


def refuse_unknown_keys(path, where: str, table: dict, known: tuple) -> None:
    """A key not in ``known`` is a typo: refused, naming it and the closest valid key."""
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            advice = (f"did you mean {close[0]!r}?" if close
                      else f"the keys allowed there: {', '.join(known)}")
            raise ConfigError(f"{path}: {where}: unknown key {key!r}; {advice}")


def _component(path, name, table, resolve_bans: bool = True) -> Component:
    where = f"[components.{name}]"
    refuse_unknown_keys(path, where, table, COMPONENT_KEYS)
    checks_table = table.get("checks", {})
    if not isinstance(checks_table, dict) or not all(isinstance(t, dict)
                                                     for t in checks_table.values()):
        raise ConfigError(f"{path}: {where}: checks must be tables: "
                          f"[components.{name}.checks.NAME]")
    checks = tuple(_check(path, name, check_name, check)
                   for check_name, check in checks_table.items())
    if not checks:
        raise ConfigError(f"{path}: component {name!r} has no checks")
    _check_requires(path, name, checks)
    banned = _ban_list(path, where, table, "banned")
    optional = _ban_list(path, where, table, "banned_optional")
    if not resolve_bans:
        return Component(name, table.get("title", name), banned, checks,
                         tuple(table.get("defines", [name])))
    for ban in banned:
        _check_ban(path, name, ban)
    present = tuple(ban for ban in optional if _ban_problem(ban) is None)
    return Component(name, table.get("title", name), banned + present, checks,
                     tuple(table.get("defines", [name])),
                     absent_optional=tuple(b for b in optional if b not in present))


def _ban_list(path, where: str, table: dict, key: str) -> tuple[str, ...]:
    names = table.get(key, [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"{path}: {where}: `{key}` must be a list of names, e.g. "
                          f"[\"torch.softmax\", \"aten::_softmax\"], got {names!r}")
    return tuple(names)


def _check_ban(path, component: str, name: str) -> None:
    """A banned name that does not exist in this torch bans nothing: refused, by name.

    A name that may be missing from some torch versions belongs in
    ``banned_optional`` instead, where its absence is deliberate.
    """
    problem = _ban_problem(name)
    if problem:
        raise ConfigError(f"{path}: component {component!r} bans {name!r}, {problem}; fix the "
                          "name, or list it in `banned_optional` if this torch may lack it")


def _ban_problem(name: str) -> str | None:
    """Why ``name`` bans nothing here, or None when it names something that exists.

    ``ns::op`` names an operator (``*`` at the end: any operator with that prefix),
    ``record:NAME`` a profiler scope that torch.optim opens (``Optimizer.step#*``),
    anything else a module or an attribute of one.
    """
    if name.startswith("record:"):
        scope = name.removeprefix("record:").rstrip("*")
        if scope and scope in _optim_source():
            return None
        return "which is no profiler scope torch.optim opens (e.g. record:Optimizer.step#*)"
    if "::" in name:
        known = _operator_names()
        if (any(op.startswith(name[:-1]) for op in known) if name.endswith("*")
                else name in known):
            return None
        close = difflib.get_close_matches(name.rstrip("*"), known, n=3, cutoff=0.75)
        return (f"which is no operator of this torch"
                f"{'; closest: ' + ', '.join(close) if close else ''}")
    if _resolvable(name):
        return None
    close = _close_dotted(name)
    return (f"which names no module or attribute of one"
            f"{'; closest: ' + ', '.join(close) if close else ''}")


def _close_dotted(dotted: str) -> list[str]:
    """Valid names next to a dotted name that does not resolve (for the error message)."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if _resolvable(prefix):
            from grader.scratch import resolve   # the watch's own lookup; error path only
            names = dir(resolve(prefix))
            return [f"{prefix}.{n}" for n in difflib.get_close_matches(parts[cut], names, n=3)]
    tops = sorted({m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names))
    return difflib.get_close_matches(parts[0], tops, n=3)


@functools.cache
def _optim_source() -> str:
    """torch.optim's source, read, not imported (importing it pulls in dynamo)."""
    spec = importlib.util.find_spec("torch.optim")
    folder = Path(spec.origin).parent
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.glob("*.py")))


@functools.cache
def _operator_names() -> frozenset:
    import torch
    return frozenset(schema.name for schema in torch._C._jit_get_all_schemas())


def _resolvable(dotted: str) -> bool:
    """Whether ``a.b.c`` is a module or an attribute of the longest module prefix.

    Modules already imported are looked at directly; others are found without
    running them (``torch.optim`` imported in the scorer would pull in dynamo).
    """
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        module = sys.modules.get(prefix)
        if module is None:
            try:
                spec = importlib.util.find_spec(prefix)
            except (ImportError, ValueError):
                spec = None
            if spec is None:
                continue
            if cut == len(parts):
                return True
            try:
                module = importlib.import_module(prefix)
            except Exception:  # noqa: BLE001 - found but broken here: cannot be enforced
                return False
        obj = module
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _check_requires(path, component: str, checks) -> None:
    """Every name in ``requires`` is another check of the component; no cycles."""
    by_name = {check.name: check for check in checks}
    for check in checks:
        for needed in check.requires:
            if needed not in by_name or needed == check.name:
                raise ConfigError(
                    f"{path}: check {component}.{check.name} requires {needed!r}, which is "
                    f"not another check of {component!r} (its checks: {', '.join(by_name)})")
            if by_name[needed].hidden and not check.hidden:
                raise ConfigError(
                    f"{path}: public check {component}.{check.name} requires the hidden check "
                    f"{needed!r}; student releases leave hidden checks out, so require a "
                    "public one")
    for check in checks:
        seen, frontier = set(), list(check.requires)
        while frontier:
            name = frontier.pop()
            if name == check.name:
                raise ConfigError(f"{path}: check {component}.{check.name} requires itself "
                                  "through a chain of `requires`")
            if name not in seen:
                seen.add(name)
                frontier += by_name[name].requires


def _check(path, component, name, table) -> Check:
    refuse_unknown_keys(path, f"[components.{component}.checks.{name}]", table, CHECK_KEYS)
    where = f"{path}: check {component}.{name}"
    if table.get("kind") not in KINDS:
        close = difflib.get_close_matches(str(table.get("kind")), KINDS, n=1)
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, "
                          f"got {table.get('kind')!r}"
                          f"{f' (did you mean {close[0]!r}?)' if close else ''}")
    points = table.get("points")
    if not isinstance(points, (int, float)) or points < 0:
        raise ConfigError(f"{where}: points must be a number >= 0, got {points!r}")
    if not table.get("description"):
        raise ConfigError(f"{where}: a description (what the check verifies) is required")
    requires = table.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{where}: requires must be a list of check names, got {requires!r}")
    for flag in ("hidden", "gate"):   # `hidden = "false"` would be true: a string is refused
        if not isinstance(table.get(flag, False), bool):
            raise ConfigError(f"{where}: {flag} must be true or false (no quotes), "
                              f"got {table[flag]!r}")
    timeout = table.get("timeout", config.CHECK_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{where}: timeout must be a number of seconds > 0, got {timeout!r}")
    return Check(name=name, kind=table["kind"], points=float(points), requires=tuple(requires),
                 description=table["description"], hint=table.get("hint", ""),
                 hidden=table.get("hidden", False), gate=table.get("gate", False),
                 timeout=float(timeout))
