"""An assignment's rubric: components, their checks and points, as data.

Each ``grader/checks/<assignment>/rubric.toml`` names components in order;
each component lists its banned built-ins and its checks.  A check named
``foo`` of component ``bar`` is the pytest test ``test_foo`` in
``test_bar.py`` beside the rubric, so instructors add a check by writing a
test and one TOML table.
"""
import functools
import importlib.util
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader import config
from grader.errors import ConfigError

KINDS = ("api", "property", "reference", "gradient", "device", "stability",
         "training", "scratch", "parity")


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

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class Rubric:
    assignment: str
    title: str
    components: tuple[Component, ...]
    directory: Path = field(compare=False)
    # wall time for one submission, every check (top-level `submission_budget` key)
    budget_s: float = config.SUBMISSION_BUDGET_S

    def component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    def student_names(self) -> set[str]:
        """Every top-level name the student must define, e.g. {"softmax", "SGD"}."""
        return {name for c in self.components for name in c.defines}

    def bans(self) -> dict[str, list[str]]:
        return {c.name: list(c.banned) for c in self.components}

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.components)


def rubric_path(assignment: str) -> Path:
    return config.CHECKS_DIR / assignment / "rubric.toml"


def load_rubric(assignment: str) -> Rubric:
    path = rubric_path(assignment)
    if not path.exists():
        known = ", ".join(sorted(p.parent.name for p in config.CHECKS_DIR.glob("*/rubric.toml")))
        raise ConfigError(f"no rubric for assignment {assignment!r} ({path} is missing); "
                          f"known assignments: {known}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    components = tuple(_component(path, name, table)
                       for name, table in data.get("components", {}).items())
    if not components:
        raise ConfigError(f"{path}: no [components.*] tables")
    return Rubric(data.get("assignment", assignment), data.get("title", assignment),
                  components, path.parent,
                  float(data.get("submission_budget", config.SUBMISSION_BUDGET_S)))


def _component(path, name, table) -> Component:
    checks = tuple(_check(path, name, check_name, check)
                   for check_name, check in table.get("checks", {}).items())
    if not checks:
        raise ConfigError(f"{path}: component {name!r} has no checks")
    _check_requires(path, name, checks)
    _check_bans(path, name, table.get("banned", ()))
    return Component(name, table.get("title", name), tuple(table.get("banned", ())), checks,
                     tuple(table.get("defines", [name])))


def _check_bans(path, component: str, names) -> None:
    """Every banned name exists in this torch: a typo would ban nothing, silently.

    ``ns::op`` names an operator (``*`` at the end: any operator with that prefix),
    ``record:NAME`` a profiler scope (free text), anything else a module or an
    attribute of one.
    """
    for name in names:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: component {component!r}: banned names are strings, "
                              f"got {name!r}")
        if name.startswith("record:"):
            continue
        if "::" in name:
            known = _operator_names()
            found = (any(op.startswith(name[:-1]) for op in known) if name.endswith("*")
                     else name in known)
            if not found:
                close = sorted(op for op in known if name.split("::")[-1].strip("*_") in op)[:5]
                raise ConfigError(f"{path}: component {component!r} bans {name!r}, which is "
                                  f"no operator of this torch; similar: {close or 'none'}")
        elif not _resolvable(name):
            raise ConfigError(f"{path}: component {component!r} bans {name!r}, which names "
                              "no module or attribute of one (a typo?)")


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
            module = importlib.import_module(prefix)
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
    where = f"{path}: check {component}.{name}"
    unknown = set(table) - {"kind", "points", "description", "hint", "hidden", "gate", "timeout",
                            "requires"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    if table.get("kind") not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, "
                          f"got {table.get('kind')!r}")
    points = table.get("points")
    if not isinstance(points, (int, float)) or points < 0:
        raise ConfigError(f"{where}: points must be a number >= 0, got {points!r}")
    if not table.get("description"):
        raise ConfigError(f"{where}: a description (what the check verifies) is required")
    requires = table.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{where}: requires must be a list of check names, got {requires!r}")
    return Check(name=name, kind=table["kind"], points=float(points), requires=tuple(requires),
                 description=table["description"], hint=table.get("hint", ""),
                 hidden=bool(table.get("hidden", False)), gate=bool(table.get("gate", False)),
                 timeout=float(table.get("timeout", config.CHECK_TIMEOUT_S)))
