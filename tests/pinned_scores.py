"""Exact scores of the mutants and attacks, pinned in committed tables.

A header says what a file must lose (``expect-fail``, ``expect-score``); the
table says everything it gets: every component's score and the checks of its
target component that did not pass.  A change of grading that moves any of
these, an extra deduction included, fails until the table is regenerated and
the diff reviewed::

    .venv/bin/python tests/pinned_scores.py     # regrades both corpora, rewrites the tables
"""
import json
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TABLES = {"mutants-hw1": TESTS / "mutants" / "expected_scores.json",
          "mutants-hw2": TESTS / "mutants" / "expected_scores.json",
          "adversarial-hw1": TESTS / "adversarial" / "expected_scores.json"}


def observed(row: dict, component: str) -> dict:
    """What a graded row is pinned by: every component's score, the target's failed checks."""
    components = row["result"]["components"]
    target = next(c for c in components if c["name"] == component)
    return {"scores": {c["name"]: c["score"] for c in components},
            "failed": sorted(c["name"] for c in target["checks"]
                             if not c["passed"] and c["status"] != "skipped")}


def expected(table: Path, key: str) -> dict | None:
    return json.loads(table.read_text()).get(key) if table.exists() else None


def check_pinned(table: Path, key: str, row: dict, component: str) -> None:
    got = observed(row, component)
    want = expected(table, key)
    assert want is not None, (f"{key} has no pinned scores in {table.name}; after checking "
                              f"them, add: \"{key}\": {json.dumps(got)}")
    assert got == want, f"{key}: graded {got}, pinned {want} ({table.name})"


def _regrade() -> None:
    sys.path[:0] = [str(TESTS), str(TESTS.parent)]
    from conftest import cached_batch
    import os
    from test_adversarial import TOKEN, TOKEN_NAME, _build as build_attacks
    os.environ[TOKEN_NAME] = TOKEN   # as test_adversarial grades them
    from test_mutants import MUTANTS, _write_all_mutants, header
    tables: dict[Path, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for assignment in ("hw1", "hw2"):
            rows = cached_batch(Path(folder), f"mutants-{assignment}", assignment,
                                _write_all_mutants(assignment))
            for mutant in (m for m in MUTANTS if m.parent.name == assignment):
                tables.setdefault(TABLES[f"mutants-{assignment}"], {})[
                    f"{assignment}/{mutant.stem}"] = observed(rows[mutant.stem],
                                                              header(mutant)["component"])
        rows = cached_batch(Path(folder), "adversarial-hw1", "hw1", build_attacks)
        for attack in sorted((TESTS / "adversarial" / "hw1").glob("*.py")):
            if header(attack).get("pin", "").startswith("no"):
                continue
            tables.setdefault(TABLES["adversarial-hw1"], {})[f"hw1/{attack.stem}"] = observed(
                rows[attack.stem], header(attack)["component"])
    for table, entries in tables.items():
        table.write_text(json.dumps(dict(sorted(entries.items())), indent=1) + "\n")
        print(f"wrote {len(entries)} rows to {table}")


if __name__ == "__main__":
    _regrade()
