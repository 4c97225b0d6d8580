"""The instructors' commands: ``batch``, ``gradescope``, ``gradescope-zip``, ``release``.

Kept out of :mod:`grader.cli` so that a student release, which leaves this
module and the batch machinery out, still has a working command line.
"""
import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from grader import config

COMMANDS = ("batch", "gradescope", "gradescope-zip", "release")
EXIT_FULL, EXIT_USAGE, EXIT_HARNESS, EXIT_INTERRUPTED = 0, 2, 3, 130


def add_commands(commands) -> None:
    """Add the instructor subcommands to ``grader``'s argparse subparsers."""
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

    release = commands.add_parser("release", help="write an assignment's student handout, a "
                                                  "GitHub Classroom template (instructors)")
    release.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    release.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    release.add_argument("--threshold", default="100%",
                         help="score the student workflow needs: points of the public checks "
                              "(30) or a percentage of them (80%%); default 100%%")
    release.add_argument("--repo", metavar="OWNER/NAME",
                         help="the GitHub repository the template will live in: the "
                              "notebook's Colab set-up cell installs the grader from it")
    release.add_argument("--force", action="store_true",
                         help="replace what --out holds (a .git folder is kept)")


def needs_no_fork_server(args) -> bool:
    """``release`` and ``gradescope-zip`` run no student code; a Dask batch grades on
    the workers."""
    return args.command in ("release", "gradescope-zip") or bool(getattr(args, "scheduler", None))


def run(args, console) -> int:
    if args.command == "release":
        return _release(args, console)
    if args.command == "batch":
        return _batch(args, console)
    if args.command == "gradescope-zip":
        from grader.instructor import gradescope_zip
        names = gradescope_zip.build(args.assignment, args.out)
        console.print(f"wrote {args.out} ({len(names)} files): upload it as the "
                      "assignment's autograder (Configure Autograder > Zip file upload)",
                      highlight=False)
        return EXIT_FULL
    from grader import spawner
    from grader.instructor import autograder
    spawner.require_isolation()
    data = autograder.run(args.assignment, args.submission, args.results)
    console.print(f"score {data['score']}; wrote {args.results}", highlight=False)
    return EXIT_FULL


def _batch(args, console) -> int:
    from grader.instructor.batch import BatchOptions, run_batch
    if not args.scheduler:   # Dask workers check on their own machines
        from grader import spawner
        spawner.require_isolation()
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


def _release(args, console) -> int:
    from grader.instructor.release import build
    files = build(args.assignment, args.out, args.threshold, args.force, repo=args.repo)
    console.print(f"wrote the {args.assignment} release ({len(files)} files) to "
                  f"{args.out}", highlight=False)
    return 0
