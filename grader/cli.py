"""Command line: ``python -m grader grade|test|batch|ci|release ...``.

Exit status: 0 full marks, 1 points missing, 2 bad usage or configuration,
3 a harness error.
"""
import argparse
import sys
from pathlib import Path

from rich.console import Console

from grader import config, report, spawner
from grader.errors import ConfigError, GraderError, HarnessError, UsageError

EXIT_FULL, EXIT_MISSING, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3


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
    batch.add_argument("--no-sandbox", action="store_true",
                       help="grade even where student code cannot be isolated (unsafe)")

    gs = commands.add_parser("gradescope", help="run as a Gradescope autograder")
    gs.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    gs.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    gs.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    gs.add_argument("--no-sandbox", action="store_true",
                    help="grade even where student code cannot be isolated (unsafe)")

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
        spawner.allow_unisolated()   # a student's own run: fewer layers after a notice
    if args.command != "release" and not getattr(args, "scheduler", None):
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
                           progress=not args.no_progress, scheduler=args.scheduler)
    summary = run_batch(options, console)
    console.print(f"{summary.total} submissions: {summary.graded} graded, {summary.skipped} "
                  f"already in the gradebook, {summary.unreadable} unreadable, "
                  f"{summary.errors} grader errors, in {summary.seconds:.1f} s", highlight=False)
    if summary.isolation:
        console.print(f"sandbox layers: {', '.join(summary.isolation)}", highlight=False)
    shown = {}
    for name, path in summary.outputs.items():  # per-student files: show their folder once
        top = name.split("/")[0]
        shown.setdefault(top, path if "/" not in name else args.out / top)
    for name, path in shown.items():
        console.print(f"  {name}: {path}", highlight=False)
    return EXIT_FULL


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
