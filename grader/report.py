"""Render a :class:`grader.scoring.GradeResult`: JSON for machines, a table for people.

The JSON schema is documented in the README ("Result JSON").  What a student
sees of a check (hidden ones: name and points) is decided by
:func:`grader.visibility.student_check`, for the JSON and the table alike.
"""
import json
from dataclasses import asdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader import visibility
from grader.render.common import example_label
from grader.status import Status

STATUS_STYLE = {Status.FULL: "green", Status.PARTIAL: "yellow", Status.ZERO: "red",
                Status.NOT_IMPLEMENTED: "dim", Status.BANNED: "red", Status.NOT_GRADED: "red"}


def to_json(result, student_view: bool = True) -> dict:
    return {
        "assignment": result.assignment,
        "score": _num(result.score),
        "max_score": _num(result.max_score),
        "components": [_component_json(c, student_view) for c in result.components],
        "load_problems": result.load_problems,
        "student_output": result.student_output,
        "timings": result.timings,
        "isolation": result.isolation,
        **({} if student_view else {"flags": result.flags}),
    }


def _component_json(component, student_view: bool) -> dict:
    return {"name": component.name, "score": _num(component.score),
            "max_score": _num(component.max_score), "status": component.status,
            "message": component.message,
            "checks": [_check_json(c, student_view) for c in component.checks]}


def _check_json(check, student_view: bool) -> dict:
    data = visibility.student_check(check) if student_view else asdict(check)
    data["points"], data["max_points"] = _num(check.points), _num(check.max_points)
    return data


def write_json(results: list, path) -> None:
    data = [to_json(r) for r in results]
    with open(path, "w") as handle:
        json.dump(data[0] if len(data) == 1 else data, handle, indent=2)
        handle.write("\n")


def print_result(result, console: Console | None = None, details: bool = True) -> None:
    console = console or Console()
    from grader import loaderrors
    loaderrors.print_errors(result, console)  # errors first: they explain the scores below
    table = Table(title=f"{result.assignment}: {result.title}", title_justify="left")
    for column, justify in (("component", "left"), ("score", "right"), ("status", "left")):
        table.add_column(column, justify=justify)
    for component in result.components:
        style = STATUS_STYLE.get(component.status, "default")
        table.add_row(component.name, f"{_num(component.score):g} / {_num(component.max_score):g}",
                      f"[{style}]{escape(_status_text(component))}[/{style}]")
    table.add_row("[b]total[/b]", f"[b]{_num(result.score):g} / {_num(result.max_score):g}[/b]", "")
    console.print(table)
    for problem in result.load_problems:
        if problem["type"] in loaderrors.NOTES:
            console.print(f"note: {problem['message']} ({problem['where']})", highlight=False)
    if details:
        _print_failures(result, console)
    _print_skipped(result, console)
    if result.isolation and not any(n.startswith("namespaces") for n in result.isolation):
        console.print(f"[yellow]sandbox: reduced isolation on this machine; active: "
                      f"{', '.join(result.isolation)}[/yellow]", highlight=False)


def _status_text(component) -> str:
    if component.status == Status.FULL:
        return "all checks pass"
    if component.status in (Status.NOT_IMPLEMENTED, Status.BANNED):
        return component.message
    failed = [c.name for c in component.checks if not c.passed and c.status != Status.SKIPPED]
    return f"failed: {', '.join(failed)}"


def _print_skipped(result, console: Console) -> None:
    """One line per reason, e.g. all GPU parity checks on a machine without CUDA."""
    reasons: dict[str, list[str]] = {}
    parity_points = 0.0
    for component in result.components:
        for check in component.checks:
            if check.status == Status.SKIPPED and check.kind == "parity":
                parity_points += check.max_points  # no CUDA here: one short line below
            elif check.status == Status.SKIPPED:
                shown = visibility.student_check(check)
                reasons.setdefault(shown["message"], []).append(f"{component.name}.{check.name}")
    if any(c.status == Status.SKIPPED and c.kind == "parity" for comp in result.components
           for c in comp.checks):
        console.print(f"[dim]GPU parity: not run here ({_num(parity_points):g} points)[/dim]",
                      highlight=False)
    for reason, names in reasons.items():
        console.print(f"[dim]skipped {len(names)} check(s) ({', '.join(names[:4])}"
                      f"{', ...' if len(names) > 4 else ''}): {reason}[/dim]", highlight=False)


def _print_failures(result, console: Console) -> None:
    for component in result.components:
        if component.status in (Status.FULL, Status.NOT_IMPLEMENTED):
            continue
        for check in component.checks:
            if check.passed or check.status == Status.SKIPPED:
                continue
            shown = visibility.student_check(check)
            head = f"[b]{component.name}.{check.name}[/b] ({check.kind}, {_num(check.max_points):g} pt)"
            if check.hidden:   # name and points; the words are the visibility rule's
                console.print(f"  ✗ {head}: {shown['message']}", highlight=False)
                continue
            console.print(f"  ✗ {head}: {shown['description']}", highlight=False)
            console.print(f"      {shown['message']}", highlight=False, markup=False)
            if shown["example"]:
                label = example_label(shown)
                console.print(f"      {label[0].lower()}{label[1:]}: {shown['example']}",
                              highlight=False, markup=False)


def _num(value: float):
    return int(value) if float(value).is_integer() else round(float(value), 4)
