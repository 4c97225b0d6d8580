"""Print the diff of every surviving mutant of ``make mutate``, fast (one process).

    .venv/bin/python tests/mutation/survivors.py [grader/scoring.py ...]

Reads mutmut's results in mutants/ (exit code 0 = the tests still passed =
survived; 36/24/152 = timeout).  ``mutmut show NAME`` shows one at a time.
"""
import ast
import difflib
import json
import sys
from pathlib import Path

MUTANTS = Path("mutants")


def functions(source: str) -> dict[str, str]:
    """Every function (methods as Class.name) by the name mutmut gives its copies."""
    tree = ast.parse(source)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = ast.get_source_segment(source, node)
    return found


def survivors(meta: Path) -> list[tuple[str, int]]:
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return [(key, code) for key, code in sorted(codes.items()) if code in (0, 24, 36, 152)]


def main(paths) -> None:
    metas = [MUTANTS / f"{p}.meta" for p in paths] or sorted(MUTANTS.rglob("*.py.meta"))
    for meta in metas:
        if not meta.exists():
            continue
        mutated = functions(meta.with_suffix("").read_text())
        for key, code in survivors(meta):
            short = key.rsplit(".", 1)[1]                  # x_name__mutmut_3 / xǁClsǁname__mutmut_3
            original = mutated.get(short.split("__mutmut_")[0] + "__mutmut_orig", "")
            variant = mutated.get(short, "")
            changed = [l for l in difflib.unified_diff(original.splitlines(), variant.splitlines(),
                                                       lineterm="", n=0)
                       if l[:1] in "+-" and not l.startswith(("+++", "---"))
                       and "__mutmut_" not in l]
            status = "survived" if code == 0 else "timeout"
            print(f"== {key} ({status})")
            print("\n".join(changed))


if __name__ == "__main__":
    main(sys.argv[1:])
