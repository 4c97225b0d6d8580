"""Errors first: a submission that does not load is explained before its scores.

A missing parenthesis or a failed top-level import used to show up as every
component "not implemented yet", with the cause on a line under the table.
Here, in the scoring process and from the source text only (nothing runs):

- :func:`locate` adds to each loading error the source line and the columns
  to underline (``line_text``, ``column``, ``end_column``), re-reading the
  submission the way grading read it, so line numbers match;
- :func:`mark_blocked` rewrites the message of components whose definitions
  are missing because of such an error: "not loaded: see the error above";
- :func:`print_errors` prints each error as Python would (file, line, the
  line, a caret), for the report to put above the table.
"""
import ast
import re
from pathlib import Path

from rich.console import Console

from grader.status import Status

# load problems that are notes, not errors (see grader.loader and grader.extract)
NOTES = {"Skipped", "NotANotebook", "Empty"}
NOT_LOADED = "not loaded: see the error above"
MISSING = "is not defined in your submission"   # grader.probes' message for a missing name
_WHERE = re.compile(r"^(?P<label>.+) line (?P<line>\d+)$")


def errors(result) -> list[dict]:
    return [p for p in result.load_problems if p.get("type") not in NOTES]


def explain(result, path: Path, assignment: str) -> None:
    """:func:`locate` and :func:`mark_blocked` on a fresh result of grading ``path``."""
    from grader.rubric import load_rubric
    sources = _sources(path, assignment)
    locate(result.load_problems, sources)
    defines = {c.name: c.defines for c in load_rubric(assignment).components}
    mark_blocked(result, sources, defines)


def _sources(path: Path, assignment: str) -> dict[str, str]:
    from grader import loader
    try:
        return {c["label"]: c["code"] for c in loader.load_chunks(Path(path), assignment)}
    except Exception:  # noqa: BLE001 - the grade already says why it could not be read
        return {}


def locate(problems: list[dict], sources: dict[str, str]) -> None:
    """Add ``line_text``, ``column`` and ``end_column`` (1-based) where the source is known."""
    for problem in problems:
        match = _WHERE.match(problem.get("where", ""))
        if problem.get("type") in NOTES or not match or match["label"] not in sources:
            continue
        source, number = sources[match["label"]], int(match["line"])
        if problem["type"] == "SyntaxError":
            number, column, end = _syntax_error_position(source, number)
        else:
            column, end = None, None
        lines = source.splitlines()
        if not 1 <= number <= len(lines):
            continue
        text = lines[number - 1]
        if column is None:  # underline the statement's first line, as Python 3.11 does
            column, end = len(text) - len(text.lstrip()) + 1, len(text.rstrip()) + 1
        problem.update(line=number, line_text=text, column=column,
                       end_column=max(end or column + 1, column + 1))


def _syntax_error_position(source: str, reported: int) -> tuple[int, int | None, int | None]:
    """Where ``ast`` puts the error (the worker reports only the line)."""
    try:
        ast.parse(source)
    except SyntaxError as exc:
        end = exc.end_offset if exc.end_lineno == exc.lineno else None
        return exc.lineno or reported, exc.offset, end
    return reported, None, None


def mark_blocked(result, sources: dict[str, str], defines: dict[str, tuple]) -> None:
    """Components whose definitions a loading error kept out say so, not "not implemented".

    A component is blocked when it is missing and one of its names (``defines``)
    is in the code the error stopped: the whole cell or file for a syntax error
    (none of it ran), the failed statement's line otherwise (``from lib import
    softmax``).
    """
    stopped = "\n".join(_stopped_code(problem, sources) for problem in errors(result))
    for component in result.components:
        ran = [c for c in component.checks if c.status != Status.SKIPPED]
        missing = component.status == Status.NOT_IMPLEMENTED and ran and \
            all(MISSING in c.message for c in ran)
        names = defines.get(component.name, (component.name,))
        if missing and any(re.search(rf"\b{re.escape(n)}\b", stopped) for n in names):
            component.message = NOT_LOADED


def _stopped_code(problem: dict, sources: dict[str, str]) -> str:
    match = _WHERE.match(problem.get("where", ""))
    if not match or match["label"] not in sources:
        return ""
    if problem["type"] == "SyntaxError":
        return sources[match["label"]]
    return problem.get("line_text", "")


def print_errors(result, console: Console) -> None:
    """Each loading error as Python shows it: where, the line, a caret, type and message."""
    for problem in errors(result):
        console.print(f"[bold red]error while loading your code[/bold red], {problem['where']}:",
                      highlight=False)
        if "line_text" in problem:
            console.print(f"    {problem['line_text'].expandtabs(4)}", highlight=False,
                          markup=False)
            console.print("    " + _caret(problem), style="red", highlight=False, markup=False)
        console.print(f"{problem['type']}: {problem['message']}", style="red",
                      highlight=False, markup=False)
    if errors(result):
        console.print()


def _caret(problem: dict) -> str:
    """Spaces and ``^`` under the columns of the error, with tabs expanded as in the line."""
    text, start, end = problem["line_text"], problem["column"] - 1, problem["end_column"] - 1
    indent = len(text[:start].expandtabs(4))
    return " " * indent + "^" * max(1, len(text[:end].expandtabs(4)) - indent)
