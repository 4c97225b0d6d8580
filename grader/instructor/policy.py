"""The course's late policy: what a late submission loses.

The LMS marks a file late (Canvas puts ``_late`` in the downloaded file's
name); the policy decides what that costs.  It lives in a small TOML file,
``course.toml`` in the folder ``grader batch`` runs from, or the file given
with ``--policy``:

    [late]
    penalty = 0.1   # a fraction of the score off (0.1: 10 % off)
    # or: cap = 0.8   the score is at most this fraction of the maximum
    # or: zero = true late work scores 0

Exactly one rule.  Without a policy file, lateness is only reported (the
``late`` column of ``grades.csv``).  Due dates are out of scope: a Canvas
download carries no submission times, only the late marker.
"""
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

DEFAULT_FILE = Path("course.toml")
RULES = ("penalty", "cap", "zero")


@dataclass(frozen=True)
class LatePolicy:
    rule: str = ""      # "" (report only), "penalty", "cap" or "zero"
    value: float = 0.0

    def apply(self, score: float, max_score: float, late: bool) -> tuple[float, str]:
        """The score after the policy, and a sentence saying what it took ("" if nothing)."""
        if not late or not self.rule:
            return score, ""
        if self.rule == "penalty":
            final = score * (1 - self.value)
            why = f"{self.value:.0%} off for late work"
        elif self.rule == "cap":
            final = min(score, self.value * max_score)
            why = f"late work is capped at {self.value:.0%} of the maximum"
        else:
            final, why = 0.0, "late work scores 0"
        final = round(final, 4)
        return final, (f"late: {why} ({_num(score)} -> {_num(final)})" if final != score else "")

    def describe(self) -> str:
        if not self.rule:
            return "no late policy: lateness is reported, not penalised"
        return {"penalty": f"late: {self.value:.0%} off", "cap": f"late: capped at "
                f"{self.value:.0%} of the maximum", "zero": "late: 0 points"}[self.rule]


def load(path: Path | None) -> LatePolicy:
    """The policy in ``path`` (or ``course.toml`` here, if it exists), else report-only."""
    if path is None:
        if not DEFAULT_FILE.is_file():
            return LatePolicy()
        path = DEFAULT_FILE
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"--policy {path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"late"}
    if unknown:
        raise UsageError(f"{path}: unknown section(s) {sorted(unknown)}; the policy file has "
                         "one section, [late]")
    late = data.get("late", {})
    rules = {key: value for key, value in late.items() if key in RULES}
    if set(late) - set(RULES) or len(rules) != 1:
        raise UsageError(f"{path}: [late] must hold exactly one of penalty = FRACTION, "
                         f"cap = FRACTION or zero = true; it holds {sorted(late)}")
    (rule, value), = rules.items()
    if rule == "zero":
        if value is not True:
            raise UsageError(f"{path}: [late] zero must be true (or leave it out)")
        return LatePolicy("zero", 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise UsageError(f"{path}: [late] {rule} must be a fraction between 0 and 1, "
                         f"not {value!r}")
    return LatePolicy(rule, float(value))


def _num(value: float) -> str:
    return f"{value:g}"
