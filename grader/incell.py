"""``grader.check()``: grade, from a notebook cell, the definitions the kernel has run.

    import grader
    r = grader.check("softmax")    # one component (its name or the name it defines)
    grader.check()                 # every component of the assignment
    r.score, r.max_score

What is graded is what the kernel executed: every cell in its input history
(IPython's ``In``, magics already turned into Python), in execution order, so
the last definition of a name wins, as in the kernel.  Those cells go through
the same path as ``make test`` and batch grading: written as a notebook,
cut down to the needed definitions (:mod:`grader.extract`) and run in the
sandboxed worker by ``python -m grader grade`` in a child process.  Nothing
runs in the kernel's process but this module and the rendering: student code
that patched torch or pytest in the kernel cannot touch the checks.

The checks are the release's public ones (those of ``make test``); the score
table, the loading errors and the failed checks with their hints are shown
under the cell as one rich output.
"""
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
NOTEBOOK_NAME = "kernel.ipynb"   # the kernel's history, as a notebook; cell N is In[N]


@dataclass
class Checked:
    """What ``grader.check()`` returns: the points, per component too."""
    assignment: str
    score: float
    max_score: float
    components: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score

    def __repr__(self) -> str:
        return f"<{self.assignment} {', '.join(self.components)}: {self.score:g} / {self.max_score:g}>"


def check(component: str | None = None, assignment: str | None = None) -> Checked | None:
    """Grade ``component`` (all of them when None) of what this kernel has run.

    Shows the result under the cell and returns a :class:`Checked`; a mistake
    in the call (an unknown component) is shown instead and gives None.
    """
    from grader.errors import GraderError
    shell = _shell()
    try:
        cells = executed_cells(shell)
        assignment, only = target(component, assignment, cells)
        result = result_from_json(grade_cells(cells, assignment, only))
        _show(result)
    except GraderError as exc:
        _show_error(str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - a grader bug: one line under the cell, a log
        _show_error(_bug_line(exc))
        return None
    return Checked(result.assignment, result.score, result.max_score,
                   {c.name: (c.score, c.max_score) for c in result.components})


def _bug_line(exc: Exception) -> str:
    """One line for a grader bug; its traceback goes to a log file, not under the cell."""
    from grader.crashlog import one_line, write_log
    log = write_log(Path(tempfile.gettempdir()), "grader.check()")
    return (f"the grader failed ({type(exc).__name__}: {one_line(exc)}); this is a bug in the "
            f"grader, not in your code. The details are in {log}: please report it.")


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise RuntimeError("grader.check() grades what a notebook's kernel has run; call it "
                           "in a notebook cell (Jupyter, Colab, VS Code). In a terminal, "
                           "run `make test`.")
    return shell


def executed_cells(shell) -> list[str]:
    """The kernel's inputs, ``In[1]`` to now; those that do not parse become empty
    (they defined nothing in the kernel either, which showed their error)."""
    history = list(shell.user_ns.get("In") or shell.history_manager.input_hist_parsed)
    return [source if _parses(source) else "" for source in history[1:]]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def target(component: str | None, assignment: str | None,
           cells: list[str]) -> tuple[str, set[str] | None]:
    """The assignment and the components to grade, from what the student named."""
    from grader import config
    from grader.errors import UsageError
    from grader.rubric import load_rubric
    names = [assignment] if assignment else list(config.ASSIGNMENTS)
    unknown = [a for a in names if a not in config.ASSIGNMENTS]
    if unknown:
        raise UsageError(f"unknown assignment {unknown[0]!r}; known: "
                         f"{', '.join(config.ASSIGNMENTS)}")
    rubrics = {a: load_rubric(a) for a in names}
    if component is None:
        return _assignment_of(rubrics, cells), None
    wanted = component.strip().lower()
    found = [(a, c.name) for a, rubric in rubrics.items() for c in rubric.components
             if wanted == c.name.lower() or wanted in {d.lower() for d in c.defines}]
    if not found:
        known = ", ".join(c.name for r in rubrics.values() for c in r.components)
        raise UsageError(f"no component {component!r} to check; known: {known}")
    if len({a for a, _ in found}) > 1:
        raise UsageError(f"{component!r} is in several assignments; say which, e.g. "
                         f"grader.check({component!r}, assignment={found[0][0]!r})")
    return found[0][0], {found[0][1]}


def _assignment_of(rubrics: dict, cells: list[str]) -> str:
    """The only assignment, or the one whose names the kernel's cells define most."""
    from grader.errors import UsageError
    if len(rubrics) == 1:
        return next(iter(rubrics))
    text = "\n".join(cells)
    counts = {a: sum(bool(re.search(rf"^\s*(?:def|class)\s+{re.escape(name)}\b", text, re.M))
                     for name in rubric.student_names()) for a, rubric in rubrics.items()}
    best = sorted(counts, key=counts.get, reverse=True)
    if counts[best[0]] == 0 or counts[best[0]] == counts[best[1]]:
        raise UsageError("which assignment? e.g. grader.check(assignment="
                         f"{best[0]!r}); known: {', '.join(rubrics)}")
    return best[0]


def grade_cells(cells: list[str], assignment: str, only: set[str] | None) -> dict:
    """The result JSON of ``python -m grader grade`` on the cells, as a notebook."""
    import nbformat

    from grader import config
    from grader.errors import HarnessError, UsageError
    with tempfile.TemporaryDirectory(prefix="grader-check-") as folder:
        notebook = Path(folder) / NOTEBOOK_NAME
        book = nbformat.v4.new_notebook()
        book.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(book, notebook)
        out = Path(folder) / "result.json"
        command = [sys.executable, "-m", "grader", "grade", str(notebook), "--assignment",
                   assignment, "--json", str(out), "--quiet"]
        if only:
            command += ["--only", ",".join(sorted(only))]
        env = {**os.environ, "COLUMNS": "1000", "PYTHONPATH": os.pathsep.join(
            [str(PACKAGE_PARENT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        try:
            proc = subprocess.run(command, cwd=PACKAGE_PARENT, env=env, capture_output=True,
                                  text=True, timeout=config.INCELL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"grading took more than {config.INCELL_TIMEOUT_S} s; "
                               "try `make test` in a terminal") from None
        if proc.returncode not in (0, 1) or not out.exists():
            message = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            raise UsageError(f"could not grade: {message[0]}")
        data = json.loads(out.read_text())
    for problem in data.get("load_problems", []):  # "kernel.ipynb cell 5" is In [5]
        problem["where"] = re.sub(rf"{re.escape(NOTEBOOK_NAME)} cell (\d+)", r"In [\1]",
                                  problem["where"])
    return data


def result_from_json(data: dict):
    """A :class:`grader.scoring.GradeResult` again, for :mod:`grader.report` to render."""
    from grader.rubric import load_rubric
    from grader.scoring import CheckResult, ComponentResult, GradeResult
    from grader.visibility import student_check
    rubric = load_rubric(data["assignment"])
    titles = {c.name: c.title for c in rubric.components}
    components = []
    for item in data["components"]:
        shown = [student_check(c) for c in item["checks"]]   # hidden checks: name and points
        checks = [CheckResult(c["name"], c["kind"], c["passed"], c["points"], c["max_points"],
                              c["message"], c["status"], c.get("example", ""),
                              c.get("hidden", False), c.get("description", ""),
                              c.get("seconds", 0.0), c.get("withheld_by", []),
                              example_is_smallest=c.get("example_is_smallest", True))
                  for c in shown]
        components.append(ComponentResult(item["name"], titles.get(item["name"], item["name"]),
                                          item["score"], item["max_score"], item["status"],
                                          item["message"], checks))
    notes = [p for p in data.get("load_problems", []) if p.get("type") != "Skipped"]
    return GradeResult(data["assignment"], rubric.title, components, notes,
                       data.get("student_output", ""), data.get("timings", {}),
                       data.get("isolation", []))


def _show(result) -> None:
    from grader import report
    _display(lambda console: report.print_result(result, console))


def _show_error(message: str) -> None:
    from rich.markup import escape
    _display(lambda console: console.print(f"[red]grader.check:[/red] {escape(message)}",
                                           highlight=False))


def _display(render) -> None:
    """One rich output under the cell: HTML for notebooks, plain text for the rest."""
    import io

    from rich.console import Console
    console = Console(file=io.StringIO(), record=True, width=100, force_jupyter=False,
                      force_terminal=False, color_system="truecolor")
    render(console)
    text = console.export_text(clear=False)
    html = console.export_html(inline_styles=True, code_format=_HTML)
    try:
        from IPython.display import display
    except ImportError:
        print(text)
        return
    display({"text/html": html, "text/plain": text}, raw=True)


_HTML = ('<pre style="white-space: pre; overflow-x: auto; line-height: normal; '
         "font-family: Menlo, 'DejaVu Sans Mono', consolas, 'Courier New', monospace\">"
         "<code>{code}</code></pre>")
