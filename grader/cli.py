"""Command line: ``python -m grader grade|test|batch|ci|release ...``.

Exit status: 0 full marks, 1 points missing, 2 bad usage or configuration,
3 a harness error.
"""
import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from grader import config, report, spawner
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

    batch = commands.add_parser("batch", help="grade a folder or zip of submissions (instructors)")
    batch.add_argument("submissions", type=Path, help="folder or .zip, one file per student")
    batch.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    batch.add_argument("--out", type=Path, required=True,
                       help="gradebook and exports go here; reuse it to resume")
    batch.add_argument("--jobs", type=int, default=0,
                       help="parallel scorers of the local pool (default: cores; "
                            "ignored with --scheduler)")
    batch.add_argument("--full", action="store_true",
                       help="run every statement of each notebook, not only the definitions")
    batch.add_argument("--regrade", action="append", default=[], metavar="STUDENT_ID",
                       help="grade this student again even if already graded (repeatable)")
    batch.add_argument("--force", action="store_true", help="grade everyone again")
    batch.add_argument("--id-pattern", help="regex with an `id` group to read student ids "
                                            "from file names")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_argument("--scheduler", metavar="tcp://HOST:8786|local:N",
                       help="grade on a Dask cluster (local:N starts N workers here) "
                            "instead of the local pool")
    batch.add_argument("--policy", type=Path, metavar="COURSE.toml",
                       help="the course's late policy (default: ./course.toml if it exists; "
                            "without one, lateness is only reported)")
    batch.add_argument("--canvas-gradebook", type=Path, metavar="EXPORT.csv",
                       help="a gradebook exported from Canvas: write OUT/canvas-import.csv "
                            "with this assignment's column filled in")
    batch.add_argument("--canvas-column", metavar="NAME",
                       help="that export's column for this assignment (default: the one "
                            "named like the assignment)")
    batch.add_argument("--scorer-recycle", type=_positive_int, metavar="N",
                       default=config.SUBMISSIONS_PER_SCORER,
                       help="replace each scorer process after N submissions, so memory "
                            f"stays flat (default {config.SUBMISSIONS_PER_SCORER})")
    batch.add_argument("--stall-timeout", type=_positive_float, metavar="SECONDS",
                       help="a scorer silent this long on one submission is replaced and the "
                            "submission recorded as a grader error (default: the load limit "
                            "+ the submission budget + a margin)")
    batch.add_argument("--no-sandbox", action="store_true",
                       help="grade even where student code cannot be isolated (unsafe)")

    gs = commands.add_parser("gradescope", help="run as a Gradescope autograder")
    gs.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    gs.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    gs.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    gs.add_argument("--no-sandbox", action="store_true",
                    help="grade even where student code cannot be isolated (unsafe)")

    gz = commands.add_parser("gradescope-zip", help="write the autograder zip Gradescope expects")
    gz.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    gz.add_argument("--out", type=Path, required=True, help="the .zip to write")

    test = commands.add_parser("test", help="grade every assignment of a folder (make test)")
    test.add_argument("--impl", default="assignments", choices=sorted(config.IMPLEMENTATION_DIRS))
    test.add_argument("--assignment", action="append", choices=config.ASSIGNMENTS,
                      help="only this assignment (repeatable; default: all)")
    test.add_argument("--json", type=Path, help="write the results JSON here")

    ci = commands.add_parser("ci", help="grade in GitHub Actions: job summary, annotations, "
                                        "exit 1 below --threshold (see grader/ci.py)")
    ci.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    ci.add_argument("--path", type=Path, help="what to grade (default: assignments/ASSIGNMENT)")
    ci.add_argument("--threshold", default="100%",
                    help="points (30) or percentage of the maximum (80%%) needed to pass")
    ci.add_argument("--junit", type=Path, help="write JUnit XML here")
    ci.add_argument("--json", type=Path, help="write the result JSON here")

    release = commands.add_parser("release", help="write an assignment's student handout, a "
                                                  "GitHub Classroom template (instructors)")
    release.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    release.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    release.add_argument("--threshold", default="100%",
                         help="score the student workflow needs: points of the public checks "
                              "(30) or a percentage of them (80%%); default 100%%")
    release.add_argument("--force", action="store_true",
                         help="replace what --out holds (a .git folder is kept)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("grade", "test", "ci") or getattr(args, "no_sandbox", False):
        from grader.sandbox import allow_unisolated
        allow_unisolated()   # a student's own run: fewer layers after a notice
    if args.command not in ("release", "gradescope-zip") and not getattr(args, "scheduler", None):
        spawner.start()  # the fork server imports torch while we import the checks
    console = Console(stderr=False)
    try:
        if args.command == "release":
            return _release_command(args, console)
        if args.command == "ci":
            from grader import ci
            return ci.run(args, console)
        if args.command == "batch":
            return _batch_command(args, console)
        if args.command == "gradescope-zip":
            from grader import gradescope_zip
            names = gradescope_zip.build(args.assignment, args.out)
            console.print(f"wrote {args.out} ({len(names)} files): upload it as the "
                          "assignment's autograder (Configure Autograder > Zip file upload)",
                          highlight=False)
            return EXIT_FULL
        if args.command == "gradescope":
            from grader import autograder, sandbox
            sandbox.require_isolation()
            data = autograder.run(args.assignment, args.submission, args.results)
            console.print(f"score {data['score']}; wrote {args.results}", highlight=False)
            return EXIT_FULL
        results = _grade_command(args) if args.command == "grade" else _test_command(args)
    except (UsageError, ConfigError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        return EXIT_USAGE
    except (HarnessError, GraderError) as exc:
        Console(stderr=True).print(f"[red]grader error:[/red] {exc}", highlight=False)
        return EXIT_HARNESS
    except Exception as exc:  # noqa: BLE001 - a grader bug: one line here, the rest in a log
        log = _log_traceback(args)
        Console(stderr=True).print(
            f"[red]grader error:[/red] {type(exc).__name__}: {exc} (a bug in the grader, not "
            f"in the work graded; the traceback is in {log}: please report it)", highlight=False)
        return EXIT_HARNESS
    for result in results:
        report.print_result(result, console, details=not getattr(args, "quiet", False))
    if args.json:
        report.write_json(results, args.json)
    full = all(r.score == r.max_score for r in results)
    return EXIT_FULL if full else EXIT_MISSING


def _grade_command(args) -> list:
    from grader.grading import grade  # imports torch and pytest: keep --help fast
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    return [grade(args.path, args.assignment, only)]


def _batch_command(args, console) -> int:
    from grader.batch import BatchOptions, run_batch
    if not args.scheduler:   # Dask workers check on their own machines
        from grader import sandbox
        sandbox.require_isolation()
    options = BatchOptions(source=args.submissions, assignment=args.assignment, out=args.out,
                           jobs=args.jobs, full=args.full, regrade=set(args.regrade),
                           force=args.force, id_pattern=args.id_pattern,
                           progress=not args.no_progress, scheduler=args.scheduler,
                           recycle_after=args.scorer_recycle, stall_after=args.stall_timeout,
                           policy=args.policy, canvas_gradebook=args.canvas_gradebook,
                           canvas_column=args.canvas_column)
    try:
        summary = run_batch(options, console)
    except KeyboardInterrupt:
        Console(stderr=True).print(
            f"[yellow]interrupted:[/yellow] every result so far is saved in "
            f"{args.out / 'gradebook.sqlite'}; run the same command again to grade the rest",
            highlight=False)
        return EXIT_INTERRUPTED
    console.print(f"{summary.total} submissions: {summary.graded} graded, {summary.skipped} "
                  f"already in the gradebook, {summary.unreadable} unreadable, "
                  f"{summary.unsupported} unsupported, {summary.errors} grader errors, "
                  f"in {summary.seconds:.1f} s", highlight=False)
    for note in summary.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]", highlight=False)
    if summary.isolation:
        console.print(f"sandbox layers: {', '.join(summary.isolation)}", highlight=False)
    shown = {}
    for name, path in summary.outputs.items():  # per-student files: show their folder once
        top = name.split("/")[0]
        shown.setdefault(top, path if "/" not in name else args.out / top)
    for name, path in shown.items():
        console.print(f"  {name}: {path}", highlight=False)
    if summary.errors:
        console.print(f"[red]{summary.errors} submission(s) hit a grader error[/red] (see the "
                      "status column of grades.csv); grade them again with --regrade ID",
                      highlight=False)
        return EXIT_HARNESS
    return EXIT_FULL


def _log_traceback(args) -> Path:
    """Write the current exception's traceback where an instructor can find it."""
    import tempfile
    import time
    import traceback
    out = getattr(args, "out", None)
    folder = out if isinstance(out, Path) and out.is_dir() else Path(tempfile.gettempdir())
    path = folder / f"grader-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    path.write_text(f"python -m grader {' '.join(sys.argv[1:])}\n\n{traceback.format_exc()}")
    return path


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, not {text!r}")
    return value


def _release_command(args, console) -> int:
    from grader.release import build
    files = build(args.assignment, args.out, args.threshold, args.force)
    console.print(f"wrote the {args.assignment} release ({len(files)} files) to "
                  f"{args.out}", highlight=False)
    return EXIT_FULL


def _test_command(args) -> list:
    from grader.grading import grade
    folder = config.IMPLEMENTATION_DIRS[args.impl]
    results = []
    for assignment in args.assignment or config.ASSIGNMENTS:
        path = folder / assignment if (folder / assignment).is_dir() else folder / f"{assignment}.py"
        results.append(grade(path, assignment))
    return results


if __name__ == "__main__":
    sys.exit(main())
