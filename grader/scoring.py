"""From check outcomes to points: the only place a score is decided."""
from dataclasses import dataclass, field

from grader.outcomes import Outcome
from grader.status import Status

NOT_RUN = Outcome(Status.ERROR, "this check did not run (an earlier problem stopped the grading)")


@dataclass
class CheckResult:
    name: str
    kind: str
    passed: bool
    points: float
    max_points: float
    message: str
    status: str
    example: str = ""
    hidden: bool = False
    description: str = ""
    seconds: float = 0.0
    withheld_by: list = field(default_factory=list)  # required checks that did not pass
    counted: bool = True   # False when the grader failed on it: not in the score or the maximum
    detail: str = ""       # for the instructor: what failed inside the grader
    example_is_smallest: bool = True   # False: the first failing input found (not shrunk)


@dataclass
class ComponentResult:
    name: str
    title: str
    score: float
    max_score: float
    status: str      # full, partial, zero, not_implemented, banned
    message: str
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class GradeResult:
    assignment: str
    title: str
    components: list[ComponentResult]
    load_problems: list[dict] = field(default_factory=list)
    student_output: str = ""
    timings: dict = field(default_factory=dict)   # seconds: worker_start, checks
    isolation: list = field(default_factory=list)  # protections the OS did not allow
    flags: list = field(default_factory=list)      # for the instructor; change no score

    @property
    def score(self) -> float:
        return sum(c.score for c in self.components)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.components)


def score(rubric, outcomes: dict, banned_seen: dict, components: set | None = None,
          load_problems=(), student_output: str = "", flags=(), tampered=()) -> GradeResult:
    """Points from outcomes.

    ``flags`` (what the source scan found, say) are shown to the instructor and
    change nothing; ``tampered`` lists what the worker *observed* student code
    do to the from-scratch watch at run time, which scores the submission 0.
    """
    results = [score_component(c, outcomes, banned_seen.get(c.name, set()))
               for c in rubric.components if components is None or c.name in components]
    if tampered:
        for result in results:
            for check in result.checks:
                check.counted = True
            result.max_score = sum(check.max_points for check in result.checks)
            result.score, result.status = 0.0, Status.BANNED
            result.message = ("scored 0: while it ran, the code tampered with the grader's "
                              "from-scratch watch (" + "; ".join(tampered[:3]) + ")")
    notes = list(flags) + [f"{c.name}.{k.name}: grader failure, not counted: {k.detail}"
                           for c in results for k in c.checks if not k.counted and k.detail]
    return GradeResult(rubric.assignment, rubric.title, results, list(load_problems),
                       student_output, flags=notes)


def score_component(component, outcomes: dict, banned: set) -> ComponentResult:
    checks = [_check_result(check, outcomes.get((component.name, check.name), NOT_RUN), banned)
              for check in component.checks]
    _withhold_unsupported(component, checks)
    earned = sum(c.points for c in checks)
    status, message = _status(component, checks, banned)
    if status in (Status.BANNED, Status.NOT_IMPLEMENTED):
        earned = 0.0
    maximum = sum(c.max_points for c in checks if c.counted)
    return ComponentResult(component.name, component.title, earned, maximum,
                           status, message, checks)


def _check_result(check, outcome: Outcome, banned: set) -> CheckResult:
    message = outcome.message
    passed = outcome.passed
    if check.gate and banned:  # banned use seen by any check of the component counts
        passed, message = False, _banned_message(banned)
    if not passed and check.hint and outcome.status == Status.FAILED:
        message = f"{message}. Hint: {check.hint}" if "Hint:" not in message else message
    status = Status.PASSED if passed else (Status.FAILED if outcome.passed else outcome.status)
    return CheckResult(check.name, check.kind, passed, check.points if passed else 0.0,
                       check.points, message, status,
                       outcome.example, check.hidden, check.description,
                       round(outcome.seconds, 4), counted=status != Status.ERROR,
                       detail=outcome.detail,
                       example_is_smallest=outcome.example_is_smallest or not outcome.example)


def _withhold_unsupported(component, checks: list) -> None:
    """Take back the points of passed checks whose ``requires`` did not all pass.

    Repeated until nothing changes, so a chain (A requires B requires C) settles.
    """
    results = {c.name: c for c in checks}
    specs = {c.name: c for c in component.checks}
    changed = True
    while changed:
        changed = False
        for result in checks:
            required = [results[name] for name in specs[result.name].requires]
            if result.passed and any(not r.counted for r in required):
                _not_counted(result, [r.name for r in required if not r.counted])
                changed = True
                continue
            missing = [r for r in required if not r.passed]
            if result.passed and missing:
                _withhold(result, missing, specs)
                changed = True


def _not_counted(result, failed_checks: list) -> None:
    """A check whose evidence the grader failed to produce is left out, like that one."""
    result.message = (f"not counted: it earns its points together with {failed_checks[0]}, "
                      "on which the grader itself failed (not a problem with your code)")
    result.passed, result.points, result.status, result.counted = False, 0.0, Status.ERROR, False


def _withhold(result, missing: list, specs: dict) -> None:
    first = missing[0]
    if specs[first.name].kind == "reference":
        reason = f"the output does not match the reference ({first.name} did not pass)"
    else:
        reason = (f"{first.name} did not pass ({specs[first.name].description}), which shows "
                  "the function does the actual work")
    noun = "property" if result.kind == "property" else f"{result.kind} check"
    result.message = (f"0 of {result.max_points:g}: this {noun} holds, but {reason}, so it "
                      f"earns nothing; fix {first.name} first")
    result.passed, result.points, result.status = False, 0.0, Status.WITHHELD
    result.withheld_by = [m.name for m in missing]


def _status(component, checks, banned) -> tuple[str, str]:
    # Only a banned call actually observed zeroes a component.  A gate is
    # evidence about banned calls and nothing else: its own call raising or
    # timing out costs the gate (0 points) and nothing more.
    if banned:
        return Status.BANNED, f"scored 0: {_banned_message(banned)}"
    ran = [c for c in checks if c.status != Status.SKIPPED]
    if ran and all(c.status == Status.NOT_IMPLEMENTED for c in ran):
        return Status.NOT_IMPLEMENTED, "not implemented yet"
    earned = sum(c.points for c in checks)
    if earned == sum(c.max_points for c in checks if c.counted):
        return Status.FULL, ""
    return (Status.ZERO if earned == 0 else Status.PARTIAL), ""


def _banned_message(banned: set) -> str:
    names = ", ".join(sorted({_readable(name) for name in banned}))
    return (f"it calls {names}, which this component must implement from scratch; "
            "rewrite it with basic tensor operations")


def not_graded(rubric, reason: str) -> GradeResult:
    """Zero for every check of a submission that could not be graded at all."""
    components = []
    for component in rubric.components:
        checks = [CheckResult(c.name, c.kind, False, 0.0, c.points, reason, Status.NOT_GRADED,
                              hidden=c.hidden, description=c.description)
                  for c in component.checks]
        components.append(ComponentResult(component.name, component.title, 0.0,
                                          component.max_score, Status.NOT_GRADED, reason, checks))
    return GradeResult(rubric.assignment, rubric.title, components)


def _readable(ban: str) -> str:
    """``record:Optimizer.step#*`` -> ``Optimizer.step (torch.optim)``; others as written."""
    if ban.startswith("record:"):
        return ban.removeprefix("record:").rstrip("*#") + " (torch.optim)"
    return ban.rstrip("*")
