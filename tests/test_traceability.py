"""Every requirement a stub states is checked, and every check traces to one.

``tests/traceability/<hw>.toml`` quotes the stub (its task text and its
docstrings) piece by piece.  Each quote is either a requirement, with the
rubric checks that test it, or guidance, with the reason it asks for nothing a
check could test (a suggested way of writing the code, say).  The tests below
fail when a stub gains a sentence nobody mapped, when a quote no longer appears
in the stub or the task README, when a mapped check does not exist, and when a
rubric check tests no stated requirement.
"""
import ast
import re
import tomllib
from pathlib import Path

import pytest

from grader import config
from grader.rubric import load_rubric

HERE = Path(__file__).parent / "traceability"
# what may stay unquoted between quotes: punctuation, bullets, spaces
FILLER = re.compile(r"[\s\-.,;:()*]*")


def normalise(text: str) -> str:
    return " ".join(text.split())


def stub_texts(assignment: str) -> list[tuple[str, str]]:
    """(where, normalised text) of each markdown cell and docstring of the stub."""
    path = config.REPO_ROOT / "assignments" / assignment / f"{assignment}.py"
    source = path.read_text()
    texts = []
    for number, cell in enumerate(source.split("# %%")):
        if not cell.startswith(" [markdown]"):
            continue
        lines = [line[1:].strip() for line in cell.splitlines()[1:] if line.startswith("#")]
        body = [line for line in lines if not line.startswith("#")]   # not the headings
        texts.append((f"{path.name} markdown cell {number}", normalise(" ".join(body))))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
            texts.append((f"{path.name} docstring of {node.name}",
                          normalise(ast.get_docstring(node))))
    return texts


def readme_text(assignment: str) -> str:
    return normalise((config.REPO_ROOT / "assignments" / assignment / "README.md").read_text())


def load_map(assignment: str) -> dict:
    with open(HERE / f"{assignment}.toml", "rb") as handle:
        return tomllib.load(handle)


def quotes(mapping: dict) -> list[str]:
    return [normalise(entry["quote"]) for key in ("requirement", "guidance")
            for entry in mapping.get(key, [])]


def uncovered(text: str, pieces: list[str]) -> list[str]:
    """The parts of ``text`` that no piece covers (besides punctuation)."""
    covered = [False] * len(text)
    for piece in pieces:
        for match in re.finditer(re.escape(piece), text):
            covered[match.start():match.end()] = [True] * len(piece)
    gaps, start = [], None
    for index, flag in enumerate([*covered, True]):
        if not flag and start is None:
            start = index
        elif flag and start is not None:
            gap = text[start:index]
            if not FILLER.fullmatch(gap):
                gaps.append(gap.strip())
            start = None
    return gaps


@pytest.mark.parametrize("assignment", config.ASSIGNMENTS)
def test_every_sentence_of_the_stub_is_a_mapped_requirement_or_guidance(assignment):
    mapping = load_map(assignment)
    missing = [f"{where}: {gap!r}" for where, text in stub_texts(assignment)
               for gap in uncovered(text, quotes(mapping))]
    assert not missing, ("stub text that tests/traceability maps neither to checks nor to "
                         "guidance:\n" + "\n".join(missing))


@pytest.mark.parametrize("assignment", config.ASSIGNMENTS)
def test_every_quote_is_in_the_stub_or_the_task_readme(assignment):
    places = [text for _, text in stub_texts(assignment)] + [readme_text(assignment)]
    stale = [q for q in quotes(load_map(assignment)) if not any(q in text for text in places)]
    assert not stale, f"quotes found in neither the stub nor the README: {stale}"


@pytest.mark.parametrize("assignment", config.ASSIGNMENTS)
def test_requirements_name_existing_checks_and_guidance_gives_a_reason(assignment):
    mapping = load_map(assignment)
    rubric = load_rubric(assignment)
    known = {f"{c.name}.{k.name}" for c in rubric.components for k in c.checks}
    for entry in mapping["requirement"]:
        assert entry["checks"], f"requirement {entry['quote']!r} names no check"
        unknown = set(entry["checks"]) - known
        assert not unknown, f"requirement {entry['quote']!r} names unknown checks {unknown}"
    for entry in mapping.get("guidance", []):
        assert entry.get("why", "").strip(), f"guidance {entry['quote']!r} gives no reason"


@pytest.mark.parametrize("assignment", config.ASSIGNMENTS)
def test_every_check_tests_a_stated_requirement(assignment):
    rubric = load_rubric(assignment)
    traced = {check for entry in load_map(assignment)["requirement"]
              for check in entry["checks"]}
    orphans = sorted(f"{c.name}.{k.name}" for c in rubric.components for k in c.checks
                     if f"{c.name}.{k.name}" not in traced)
    assert not orphans, f"checks that test no requirement of the stub or README: {orphans}"


def test_the_coverage_test_sees_an_unmapped_sentence():
    """The mapping is not vacuous: a sentence nobody quoted is reported."""
    text = normalise("Return the logits. Also sort the rows by norm.")
    assert uncovered(text, ["Return the logits."]) == ["Also sort the rows by norm."]
    assert uncovered(text, ["Return the logits", "Also sort the rows by norm"]) == []
