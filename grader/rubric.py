"""An assignment's rubric: components, their checks and points, as data.

Each ``grader/checks/<assignment>/rubric.toml`` names components in order;
each component lists its banned built-ins and its checks.  A check named
``foo`` of component ``bar`` is the pytest test ``test_foo`` in
``test_bar.py`` beside the rubric, so instructors add a check by writing a
test and one TOML table.
"""
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
    return Component(name, table.get("title", name), tuple(table.get("banned", ())), checks,
                     tuple(table.get("defines", [name])))


def _check(path, component, name, table) -> Check:
    where = f"{path}: check {component}.{name}"
    unknown = set(table) - {"kind", "points", "description", "hint", "hidden", "gate", "timeout"}
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
    return Check(name=name, kind=table["kind"], points=float(points),
                 description=table["description"], hint=table.get("hint", ""),
                 hidden=bool(table.get("hidden", False)), gate=bool(table.get("gate", False)),
                 timeout=float(table.get("timeout", config.CHECK_TIMEOUT_S)))
