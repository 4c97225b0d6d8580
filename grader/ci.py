"""``python -m grader ci``: grade one assignment in GitHub Actions.

The workflow of a student release (``python -m grader release``) runs it on
every push and pull request.  It grades like ``grader test`` and prints the
same score table, then:

- appends the feedback (score table, failed checks) in Markdown to
  ``$GITHUB_STEP_SUMMARY``, the run's summary page;
- prints an ``::error`` annotation on the line of each loading error (a
  syntax error, a failed top-level import), then one per failed check, and one per component
  that is not implemented or scored 0 (GitHub shows at most 10 per step);
  checks read as :func:`grader.visibility.student_check` shows them (hidden
  ones: name and points);
- writes JUnit XML (``--junit``) and the result JSON (``--json``);
- with ``--classroom``, reports the points to the GitHub Classroom dashboard
  the way Classroom's own reporter action (``autograding-grading-reporter``)
  does: two ``notice`` annotations, "Autograding complete" with
  ``Points 40/42`` and "Autograding report" with
  ``{"totalPoints": 40, "maxPoints": 42}``, which Classroom reads from the
  run (its dashboard shows the first one's points);
- exits 0 when the score reaches ``--threshold`` (points, or a percentage of
  the maximum), 1 when it does not, 2 on bad usage.

The table is printed between ``::stop-commands::`` markers, so text that
student code controls (messages, failing inputs) cannot issue workflow
commands.  The workflow runs in the student's repository, which the student
can edit: it is feedback, not the grade of record (grade collected
submissions with ``grader batch``).
"""
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import config, report
from grader.errors import GraderError, UsageError
from grader.status import ZEROED_COMPONENT, Status
from grader.visibility import student_check


@dataclass(frozen=True)
class Threshold:
    value: float
    percent: bool

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"{self.value:g}"

    def points(self, max_score: float) -> float:
        """The score needed out of ``max_score``."""
        if self.percent:
            return max_score * self.value / 100
        if self.value > max_score:
            raise UsageError(f"threshold {self} is more than the {max_score:g} points there are "
                             f"to earn; give at most {max_score:g}, or a percentage such as 80%")
        return self.value

    def describe(self, max_score: float) -> str:
        share = f" ({self})" if self.percent else ""
        return f"{round(self.points(max_score), 4):g} of {max_score:g} points{share}"


def parse_threshold(text: str) -> Threshold:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", str(text))
    if not match or (match[2] and float(match[1]) > 100):
        raise UsageError(f"threshold {text!r} is not points (e.g. 30) or a percentage from 0% "
                         "to 100% of the maximum score (e.g. 80%)")
    return Threshold(float(match[1]), bool(match[2]))


def run(args, console) -> int:
    """The ``ci`` command; ``args`` as parsed by :mod:`grader.cli`."""
    from grader.cli import grade_explained, work_file
    from grader.rubric import load_rubric
    path = args.path or config.IMPLEMENTATION_DIRS["assignments"] / args.assignment
    if Path(path).is_dir():
        path = work_file(Path(path), args.assignment, console)
    token = secrets.token_hex(16)
    try:
        threshold = parse_threshold(args.threshold)
        needed = threshold.points(load_rubric(args.assignment).max_score)
        result = grade_explained(path, args.assignment)
        _command(f"stop-commands::{token}")
        try:
            report.print_result(result, console)
        finally:
            console.file.flush()
            _command(token)
    except GraderError as exc:
        _command(f"error title={escape_property(f'{args.assignment}: not graded')}"
                 f"::{escape_data(exc)}")
        raise
    passed = result.score >= needed - 1e-9
    verdict = "reached" if passed else "NOT reached"
    console.print(f"threshold {threshold.describe(result.max_score)}: {verdict} with "
                  f"{result.score:g}", highlight=False)
    shown = _relative(path) or Path(path)
    row = {"student_id": os.environ.get("GITHUB_REPOSITORY") or shown.as_posix(),
           "file": shown.as_posix(), "status": Status.GRADED, "result": report.to_json(result)}
    for line in load_error_annotations(result, _relative(path)):
        _command(line)
    for line in annotations(row, result.assignment, _locations(path, args.assignment)):
        _command(line)
    if getattr(args, "classroom", False):
        for line in classroom_notices(result.score, result.max_score):
            _command(line)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(row, result.assignment, result.title,
                                          threshold.describe(result.max_score), passed))
    if args.junit:
        from grader.render import junit
        junit.write(Path(args.junit), result.assignment, row)
    if args.json:
        report.write_json([result], args.json)
    return 0 if passed else 1


# -- GitHub workflow commands ---------------------------------------------------

def escape_data(text) -> str:
    """A command's message, as GitHub's toolkit escapes it (one line, % kept)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text) -> str:
    """A command's property value (file, title): also ``:`` and ``,`` are special."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(text: str) -> None:
    sys.stdout.write(f"::{text}\n")
    sys.stdout.flush()


def annotations(row: dict, assignment: str, locations: dict) -> list[str]:
    """``error`` commands (without the leading ``::``) for what cost points.

    ``locations`` maps a component to ``{"file": ..., "line": ...}`` where its
    code is, so the annotation appears next to it in a pull request.
    """
    from grader.render.common import counts_as_passed, failure_text, num
    lines = []
    for component in row["result"]["components"]:
        where = locations.get(component["name"], {})
        score = f"{num(component['score'])}/{num(component['max_score'])} pt"
        if component["status"] in ZEROED_COMPONENT:
            message = component["message"] or component["status"].replace("_", " ")
            lines.append(_error(where, f"{assignment} {component['name']} ({score})", message))
            continue
        for check in map(student_check, component["checks"]):
            if counts_as_passed(component, check) or check["status"] == Status.SKIPPED:
                continue
            title = (f"{assignment} {component['name']}.{check['name']} "
                     f"({num(check['points'])}/{num(check['max_points'])} pt)")
            if check.get("hidden"):
                lines.append(_error(where, f"{title}, hidden", check["message"]))
            else:
                text = failure_text(check) or check["status"]
                lines.append(_error(where, title, f"{check['description']}: {text}"))
    return lines


def load_error_annotations(result, relative: Path | None) -> list[str]:
    """An ``error`` on the line of each loading error (syntax, top-level import), first."""
    from grader import loaderrors
    lines = []
    for problem in loaderrors.errors(result):
        where = {}
        if relative is not None:
            where["file"] = relative.as_posix()
            if relative.suffix == ".py" and "line" in problem:
                where.update(line=problem["line"], col=problem["column"])
        lines.append(_error(where, f"{result.assignment}: your code does not load "
                                   f"({problem['where']})",
                            f"{problem['type']}: {problem['message']}"))
    return lines


def classroom_notices(score: float, max_score: float) -> list[str]:
    """``notice`` commands that carry the points to the GitHub Classroom dashboard."""
    from grader.render.common import num
    points = {"totalPoints": num(score), "maxPoints": num(max_score)}
    return [f"notice title=Autograding complete::Points {num(score)}/{num(max_score)}",
            f"notice title=Autograding report::{escape_data(json.dumps(points))}"]


def _error(where: dict, title: str, message: str) -> str:
    props = {**where, "title": title}
    return ("error " + ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
            + "::" + escape_data(message))


def _locations(path, assignment: str) -> dict:
    """component -> file (relative to the working directory) and line of its definition."""
    from grader.rubric import load_rubric
    path = Path(path)
    module = path / f"{assignment}.py" if path.is_dir() else path
    relative = _relative(module)
    if relative is None or not module.is_file():
        return {}
    if module.suffix != ".py":  # a notebook: GitHub shows the annotation on the file
        return {c.name: {"file": relative.as_posix()} for c in load_rubric(assignment).components}
    lines = module.read_text(encoding="utf-8", errors="replace").splitlines()
    found = {}
    for component in load_rubric(assignment).components:
        names = "|".join(map(re.escape, component.defines))
        pattern = re.compile(rf"\s*(?:def|class)\s+(?:{names})\b")
        line = next((i for i, text in enumerate(lines, 1) if pattern.match(text)), None)
        found[component.name] = {"file": relative.as_posix(), **({"line": line} if line else {})}
    return found


def _relative(path) -> Path | None:
    """``path`` relative to the working directory (the repository in a workflow), if inside."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return None


# -- the job summary --------------------------------------------------------------

def summary_markdown(row: dict, assignment: str, title: str, threshold: str,
                     passed: bool) -> str:
    """The feedback page students get from ``batch``, with the threshold's verdict."""
    from grader.render import blocks, feedback
    content = feedback.build(assignment, title, row)
    verdict = "reached" if passed else "not reached: this job fails"
    content.insert(3, blocks.Field("Threshold", f"{threshold}, {verdict}"))
    return blocks.to_markdown(content) + "\n"
