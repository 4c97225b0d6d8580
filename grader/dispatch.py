"""The instructors' commands as ``python -m grader`` sees them: there or not.

:mod:`grader.instructor` holds them, and a student release leaves that folder
out.  This is the only module outside it that names it, and only as a string
looked up at run time, so nothing on the student side imports instructor code
(``.importlinter`` checks it).  Without the folder, the command names still
parse and answer with what they are and where to run them, instead of
argparse's "invalid choice".
"""
import importlib
import importlib.util

from rich.console import Console

INSTRUCTOR_PACKAGE = "grader.instructor"
INSTRUCTOR_CLI = "grader.instructor.cli"
# what grader.instructor.cli offers (tests/test_release.py keeps the two in step)
INSTRUCTOR_COMMANDS = ("batch", "gradescope", "gradescope-zip", "release")
EXIT_USAGE = 2


def instructor_commands():
    """:mod:`grader.instructor.cli`, or :class:`Absent` in a student release."""
    if importlib.util.find_spec(INSTRUCTOR_PACKAGE) is None:
        return Absent()
    return importlib.import_module(INSTRUCTOR_CLI)


class Absent:
    """Stands in for :mod:`grader.instructor.cli` where the folder was left out."""

    COMMANDS = INSTRUCTOR_COMMANDS

    def add_commands(self, commands) -> None:
        """Each instructor command takes any arguments (``prefix_chars`` no option
        can start with), so the refusal names the command whatever follows it;
        ``--help`` does not list them."""
        shown = "{" + ",".join(commands.choices) + "}"
        for name in self.COMMANDS:
            parser = commands.add_parser(name, add_help=False, prefix_chars="\0")
            parser.add_argument("arguments", nargs="*")
        commands.metavar = shown   # --help lists only what this release can do

    def needs_no_fork_server(self, args) -> bool:
        return True

    def run(self, args, console) -> int:
        Console(stderr=True).print(
            f"[red]error:[/red] `python -m grader {args.command}` is an instructors' command; "
            "this copy of the grader is a student release, which leaves out "
            "grader/instructor/: run it from the instructors' full checkout. Students run "
            "`make test`, `python -m grader grade|test|ci` or grader.check() in a notebook.",
            highlight=False)
        return EXIT_USAGE
