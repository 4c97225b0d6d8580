"""``python -m grader.native``: build the native operator watch (see __init__)."""
import sys

from grader import native

if __name__ == "__main__":
    try:
        print(f"built {native.build()}")
    except Exception as exc:  # noqa: BLE001 - no compiler: the watch falls back, say why
        print(f"grader.native: could not build the operator watch ({exc}); grading will "
              "use the thread-local watch only", file=sys.stderr)
        sys.exit(0)
