"""Count ``make mutate``'s results per module (the README's score table).

    .venv/bin/python tests/mutation/scores.py

Reads mutants/*.meta with mutmut's own exit-code meaning; "not checked" is a
mutant no run has reached yet (a module not run, or an ONLY that left it out).
"""
import json
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

MUTANTS = Path("mutants")


def main() -> None:
    print(f"{'module':45} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} "
          f"{'no tests':>8} {'unchecked':>9}")
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts = Counter(status_by_exit_code[code] for code in codes.values())
        name = str(meta.relative_to(MUTANTS)).removesuffix(".meta")
        print(f"{name:45} {len(codes):7} {counts['killed']:7} {counts['timeout']:7} "
              f"{counts['survived']:8} {counts['no tests']:8} {counts['not checked']:9}")


if __name__ == "__main__":
    main()
