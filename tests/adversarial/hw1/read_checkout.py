"""Reads whatever lies in the grader's checkout besides the folders it hides.

Where the checkout is inside a folder the box shows (Docker's usual
``/usr/src/app``, under ``/usr``), only reference/, the checks, tests/,
out/ and .git were covered: another batch's submissions or gradebook kept
in the checkout, a ``.env`` and the grader's own code were readable. Before
the fix, from a checkout under /usr/local/src: a planted submission read.
The test runs it from such a copy (tests/test_sandbox_limits.py).
"""
# component: relu
# expect: full
import os

REPO = "@REPO@"


def _look():
    try:
        names = sorted(os.listdir(REPO))
    except OSError as exc:
        print(f"read_checkout: {REPO} not listed ({type(exc).__name__})")
        return
    print(f"read_checkout: {REPO} shows {names}")
    for folder, _, files in os.walk(REPO):
        if "d2l_shim" in folder or "/.venv" in folder:
            continue   # the box's own read-only paths, bound there on purpose
        for name in files:
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    handle.read(1)
                print("ESCAPED read_checkout:", os.path.join(folder, name))
            except OSError:
                pass


_look()
