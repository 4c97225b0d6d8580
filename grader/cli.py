"""Command line: ``python -m grader grade|test|ci ...`` (students), and in the full
checkout ``batch|gradescope|release`` (instructors, :mod:`grader.instructor.cli`).

A student release has no instructor modules; its command line offers only
what is there.  Exit status: 0 full marks, 1 points missing, 2 bad usage or
configuration, 3 a harness error.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from grader import config, report, spawner
from grader.dispatch import instructor_commands
from grader.crashlog import one_line, write_log
from grader.errors import ConfigError, GraderError, HarnessError, UsageError

EXIT_FULL, EXIT_MISSING, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3
EXIT_INTERRUPTED = 130   # Ctrl-C, as shells report it


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission (.py, .ipynb or folder)")
    grade.add_argument("path", type=Path)
    grade.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    grade.add_argument("--json", type=Path, help="write the result JSON here")
    grade.add_argument("--only", help="comma-separated components to grade (default: all)")
    grade.add_argument("--quiet", action="store_true", help="print only the score table")

    test = commands.add_parser("test", help="grade every assignment of a folder (make test)")
    test.add_argument("--impl", default="assignments", choices=sorted(config.IMPLEMENTATION_DIRS))
    test.add_argument("--assignment", action="append", choices=config.ASSIGNMENTS,
                      help="only this assignment (repeatable; default: all)")
    test.add_argument("--json", type=Path, help="write the results JSON here")

    ci = commands.add_parser("ci", help="grade in GitHub Actions: job summary, annotations, "
                                        "exit 1 below --threshold (see grader/ci.py)")
    ci.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    ci.add_argument("--path", type=Path, help="what to grade (default: the file of "
                                              "assignments/ASSIGNMENT the student worked on)")
    ci.add_argument("--threshold", default="100%",
                    help="points (30) or percentage of the maximum (80%%) needed to pass")
    ci.add_argument("--junit", type=Path, help="write JUnit XML here")
    ci.add_argument("--json", type=Path, help="write the result JSON here")
    ci.add_argument("--classroom", action="store_true",
                    help="also report the points to the GitHub Classroom dashboard "
                         "(`Points X/Y` notices; see grader/ci.py)")

    instructor = instructor_commands()
    if instructor:
        instructor.add_commands(commands)
    return parser


def main(argv=None) -> int:
    """Run one command; every way it can end is an exit status (see the module doc).

    Nothing escapes as a traceback: an unexpected exception anywhere (setting up
    the fork server, grading, writing the JSON) is one line on stderr and exit 3,
    with the traceback in a log file (:func:`_log_traceback`).
    """
    args = None
    try:
        args = build_parser().parse_args(argv)   # bad arguments: argparse exits 2 itself
        return _run(args, Console(stderr=False))
    except (UsageError, ConfigError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    except (HarnessError, GraderError) as exc:
        Console(stderr=True).print(f"[red]grader error:[/red] {escape(str(exc))}",
                                   highlight=False)
        return EXIT_HARNESS
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]interrupted[/yellow]", highlight=False)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a grader bug: one line here, the rest in a log
        log = _log_traceback(args)
        Console(stderr=True).print(
            f"[red]grader error:[/red] {type(exc).__name__}: {escape(one_line(exc))} (a bug in "
            f"the grader, not in the work graded; the traceback is in {escape(str(log))}: "
            "please report it)",
            highlight=False, soft_wrap=True)   # one line, however narrow the terminal
        return EXIT_HARNESS


def _run(args, console) -> int:
    instructor = instructor_commands()
    if args.command in ("grade", "test", "ci") or getattr(args, "no_sandbox", False):
        spawner.allow_unisolated()   # a student's own run: fewer layers after a notice
    if not (instructor and instructor.needs_no_fork_server(args)):
        spawner.start()  # the fork server imports torch while we import the checks
    if instructor and args.command in instructor.COMMANDS:
        return instructor.run(args, console)
    if args.command == "ci":
        from grader import ci
        return ci.run(args, console)
    results = []
    graded = (_grade_command(args, console) if args.command == "grade"
              else _test_command(args, console))
    for result in graded:  # each table right after its "grading ..." line
        report.print_result(result, console, details=not getattr(args, "quiet", False))
        results.append(result)
    if args.json:
        report.write_json(results, args.json)
    full = all(r.score == r.max_score for r in results)
    return EXIT_FULL if full else EXIT_MISSING


def _log_traceback(args) -> Path | str:
    """Write the current exception's traceback where an instructor can find it."""
    out = getattr(args, "out", None)
    folder = out if isinstance(out, Path) and out.is_dir() else Path(tempfile.gettempdir())
    return write_log(folder, f"python -m grader {' '.join(sys.argv[1:])}")




def _grade_command(args, console) -> list:
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    path = work_file(args.path, args.assignment, console) if args.path.is_dir() else args.path
    return [grade_explained(path, args.assignment, only)]


def _test_command(args, console):
    """Grade each assignment of the folder in turn (a generator: tables come as graded)."""
    folder = config.IMPLEMENTATION_DIRS[args.impl]
    for assignment in args.assignment or config.ASSIGNMENTS:
        if (folder / assignment).is_dir():
            path = work_file(folder / assignment, assignment, console)
        else:
            path = folder / f"{assignment}.py"
            console.print(f"grading {shown_path(path)}", highlight=False)
        yield grade_explained(path, assignment)


def grade_explained(path: Path, assignment: str, only: set[str] | None = None):
    """Grade ``path``; loading errors get their source line and the components they
    block say so (:mod:`grader.loaderrors`)."""
    from grader import loaderrors
    from grader.grading import grade  # imports torch and pytest: keep --help fast
    result = grade(path, assignment, only)
    loaderrors.explain(result, path, assignment)
    return result


def work_file(folder: Path, assignment: str, console) -> Path:
    """The file of ``folder`` the student worked on (see :mod:`grader.workfile`), announced
    on the first line of the output; the folder itself when it holds neither file."""
    from grader import workfile
    from grader.rubric import load_rubric
    choice = workfile.choose(folder, assignment, load_rubric(assignment).student_names())
    if choice is None:
        console.print(f"grading {shown_path(folder)}", highlight=False)
        return folder
    reason = choice.reason()
    console.print(f"grading {shown_path(choice.path)}"
                  + (f" [dim]({reason})[/dim]" if reason else ""), highlight=False)
    return choice.path


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when inside it (as students type it)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
