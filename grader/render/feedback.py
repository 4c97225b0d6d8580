"""Per-student feedback pages (``feedback/<id>.md`` and ``.html``).

Students see only these, so every check is rendered as
:func:`grader.visibility.student_check` shows it: hidden checks give their
name and points and nothing else, the same rule as the terminal report.
Components that were not implemented are summarised in the component table
instead of listing every one of their checks.
"""
from pathlib import Path

from grader.status import Status
from grader.visibility import student_check

from . import blocks as b
from .common import example_label, label, num, status_explanation

STATUS_TEXT = {Status.FULL: "all checks pass", Status.PARTIAL: "some checks failed",
               Status.ZERO: "no check passed", Status.NOT_IMPLEMENTED: "not implemented",
               Status.BANNED: "scored 0 (from-scratch check failed)",
               Status.NOT_GRADED: "not graded"}


def write(folder: Path, name: str, assignment: str, title: str, row: dict) -> list[Path]:
    """Write both renderings; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    content = build(assignment, title, row)
    md, page = folder / f"{name}.md", folder / f"{name}.html"
    md.write_text(b.to_markdown(content), encoding="utf-8")
    page.write_text(b.to_html(content, f"{assignment} feedback: {row['student_id']}"),
                    encoding="utf-8")
    return [md, page]


def build(assignment: str, title: str, row: dict) -> list:
    result = row["result"]
    content = [b.Heading(1, f"{assignment} feedback: {row['student_id']}"),
               b.Para(f"{title} ({assignment}), file {row.get('file', '')}"),
               b.Field("Total", f"{num(result['score'])} / {num(result['max_score'])}")]
    if result.get("late_penalty"):
        content += [b.Field("Late", result["late_penalty"])]
    if row["status"] == Status.GRADED and row.get("status_message"):   # superseded, ignored files
        content += [b.Field("Note", row["status_message"])]
    if row["status"] != Status.GRADED:
        content += [b.Field("Not graded", status_explanation(row))]
    else:
        content += _components(result) + _failures(result)
    return content + _load_problems(result) + _student_output(result)


def _components(result: dict) -> list:
    rows = [[c["name"], f"{num(c['score'])} / {num(c['max_score'])}",
             STATUS_TEXT.get(c["status"], c["status"]), c.get("message", "")]
            for c in result["components"]]
    return [b.Heading(2, "Components"), b.Table(["component", "score", "status", "note"], rows)]


def _failures(result: dict) -> list:
    """Failed checks in full; checks that did not run (GPU parity without CUDA)
    in one line per reason, as the terminal report shows them."""
    content, skipped = [], {}
    for component in result["components"]:
        if component["status"] == Status.NOT_IMPLEMENTED:
            continue
        for check in map(student_check, component["checks"]):
            if check.get("status") == Status.SKIPPED:
                skipped.setdefault(check.get("message", ""), []).append(label(component, check))
            elif not check["passed"]:
                content += _failure(component, check)
    content = content or [b.Para("Every check passed.")]
    for reason, names in skipped.items():
        content.append(b.Para(f"Did not run here ({len(names)} check(s): {', '.join(names)}): "
                              f"{_skip_wording(reason, names)}"))
    return [b.Heading(2, "Failed checks")] + content


def _skip_wording(reason: str, names: list[str]) -> str:
    """Why checks did not run, in the student's terms: the machine meant is ours."""
    if all(name.endswith("gpu_parity") for name in names):
        return "the grading machine has no GPU (parity checks, 0 points, not run)"
    return reason


def _failure(component: dict, check: dict) -> list:
    """One failed check, ``check`` as :func:`student_check` shows it."""
    head = b.Heading(3, label(component, check))
    if check.get("hidden"):   # name, points and the rule's fixed words
        return [head, b.Para(f"hidden check: {num(check['points'])} / {num(check['max_points'])}"),
                *([b.Pre(check["message"])] if check.get("message") else [])]
    content = [head, b.Field("Kind", check["kind"]), b.Field("Points lost", _lost(component, check))]
    if check.get("description"):
        content.append(b.Field("What it checks", check["description"]))
    if check.get("message"):
        content.append(b.Pre(check["message"]))
    if check.get("example"):
        content += [b.Field(example_label(check), ""), b.Pre(check["example"])]
    return content


def _lost(component: dict, check: dict) -> str:
    lost = num(float(check["max_points"]) - float(check["points"]))
    if component["status"] == Status.BANNED and check["kind"] == "scratch":
        return f"{lost}, and the whole component scores 0"
    return f"{lost} of {num(check['max_points'])}"


ON_PURPOSE = ("Skipped",)   # statements grading does not need (training loops, plots)
NOTES = ("NotANotebook", "Empty")


def _load_problems(result: dict) -> list:
    """Real problems (a statement raised, a cell did not parse) apart from what was
    left out on purpose, so a student does not hunt for errors that are not there."""
    problems = result.get("load_problems") or []
    real = [p for p in problems if p.get("type") not in ON_PURPOSE + NOTES]
    skipped = [p for p in problems if p.get("type") in ON_PURPOSE]
    content = []
    if real:
        rows = [[p.get("where", ""), p.get("type", ""), p.get("message", "")] for p in real]
        content += [b.Heading(2, "Problems while loading your code"),
                    b.Para("These top-level statements were skipped; the rest of your file "
                           "still ran."),
                    b.Table(["where", "type", "message"], rows)]
    if skipped:
        rows = [[p.get("where", ""), p.get("message", "")] for p in skipped]
        content += [b.Heading(2, "Not run on purpose"),
                    b.Para("Grading runs only your definitions and what they use; these "
                           "statements (training loops, plots, tests) were left out. "
                           "Nothing is wrong with them."),
                    b.Table(["where", "what"], rows)]
    return content


def _student_output(result: dict) -> list:
    output = result.get("student_output") or ""
    if not output.strip():
        return []
    return [b.Heading(2, "What your code printed"), b.Pre(output)]
