"""The instructors' commands: ``batch``, ``gradescope``, ``release``.

Kept out of :mod:`grader.cli` so that a student release, which leaves this
module and the batch machinery out, still has a working command line.
"""
from pathlib import Path

from grader import config

COMMANDS = ("batch", "gradescope", "release")


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

    gs = commands.add_parser("gradescope", help="run as a Gradescope autograder")
    gs.add_argument("--assignment", required=True, choices=config.ASSIGNMENTS)
    gs.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    gs.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))

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
    """``release`` runs no student code; a Dask batch grades on the workers."""
    return args.command == "release" or bool(getattr(args, "scheduler", None))


def run(args, console) -> int:
    if args.command == "release":
        return _release(args, console)
    if args.command == "batch":
        return _batch(args, console)
    from grader import autograder
    data = autograder.run(args.assignment, args.submission, args.results)
    console.print(f"score {data['score']}; wrote {args.results}", highlight=False)
    return 0


def _batch(args, console) -> int:
    from grader.batch import BatchOptions, run_batch
    options = BatchOptions(source=args.submissions, assignment=args.assignment, out=args.out,
                           jobs=args.jobs, full=args.full, regrade=set(args.regrade),
                           force=args.force, id_pattern=args.id_pattern,
                           progress=not args.no_progress, scheduler=args.scheduler)
    summary = run_batch(options, console)
    console.print(f"{summary.total} submissions: {summary.graded} graded, {summary.skipped} "
                  f"already in the gradebook, {summary.unreadable} unreadable, "
                  f"{summary.errors} grader errors, in {summary.seconds:.1f} s", highlight=False)
    for note in summary.isolation:
        console.print(f"[yellow]sandbox: {note}[/yellow]", highlight=False)
    shown = {}
    for name, path in summary.outputs.items():  # per-student files: show their folder once
        top = name.split("/")[0]
        shown.setdefault(top, path if "/" not in name else args.out / top)
    for name, path in shown.items():
        console.print(f"  {name}: {path}", highlight=False)
    return 0


def _release(args, console) -> int:
    from grader.release import build
    files = build(args.assignment, args.out, args.threshold, args.force, repo=args.repo)
    console.print(f"wrote the {args.assignment} release ({len(files)} files) to "
                  f"{args.out}", highlight=False)
    return 0
