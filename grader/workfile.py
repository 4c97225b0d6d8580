"""Which file of an assignment folder holds the student's work: ``hw1.py`` or ``hw1.ipynb``.

Students write in either file (Colab users in the notebook), and the two start
as the same stubs.  ``make test`` and the CI grade the one the student worked
on: the file with more implemented definitions of the names the assignment
asks for; on a tie, the one modified last (the ``.py`` when neither holds any
work, or both were modified in the same second).

A definition is *implemented* when its body is more than a docstring,
``pass``, ``...`` or ``raise NotImplementedError(...)`` (for a class: when one
of its methods is).  Reading is static (``ast``); nothing is executed here.
A cell or file that does not parse is read line by line instead, so a syntax
error does not hide where the work is.
"""
import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader import loader


@dataclass(frozen=True)
class Choice:
    path: Path
    implemented: tuple[str, ...]     # names with a real body in ``path``
    other: Path | None = None        # the file not chosen, if there is one
    other_implemented: tuple[str, ...] = ()

    def reason(self) -> str:
        """Why this file: shown under the ``grading ...`` line when there was a choice."""
        if self.other is None or not (self.implemented or self.other_implemented):
            return ""
        mine, theirs = len(self.implemented), len(self.other_implemented)
        if mine != theirs:
            return (f"it has {_count(mine)} implemented; {self.other.name} has {_count(theirs)}")
        return f"both have {_count(mine)} implemented; it was modified last"


def _count(number: int) -> str:
    return "none" if number == 0 else f"{number} definition{'s' if number > 1 else ''}"


def candidates(folder: Path, assignment: str) -> list[Path]:
    return [p for p in (folder / f"{assignment}.py", folder / f"{assignment}.ipynb")
            if p.is_file()]


def choose(folder: Path, assignment: str, names: set[str]) -> Choice | None:
    """The file to grade in ``folder``, or None when it holds neither file."""
    files = candidates(Path(folder), assignment)
    if not files:
        return None
    if len(files) == 1:
        return Choice(files[0], implemented_names(files[0], assignment, names))
    found = {path: implemented_names(path, assignment, names) for path in files}
    # more implemented names first, then newer, then .py (files come .py first);
    # with no work in either, the .py: the same file on every checkout
    ranked = sorted(files, key=lambda p: (-len(found[p]),
                                          -int(p.stat().st_mtime) if found[p] else 0))
    chosen, other = ranked
    return Choice(chosen, found[chosen], other, found[other])


def implemented_names(path: Path, assignment: str, names: set[str]) -> tuple[str, ...]:
    """The ``names`` that ``path`` defines with a real body, sorted."""
    try:
        chunks = loader.load_chunks(path, assignment)
    except Exception:  # noqa: BLE001 - an unreadable file holds no work we can see
        return ()
    found: set[str] = set()
    for chunk in chunks:
        found |= _implemented_in(chunk["code"], names)
    return tuple(sorted(found))


def _implemented_in(source: str, names: set[str]) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _implemented_by_lines(source, names)
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            target = node.name if node.name in names else _extended_class(node, names)
            if target and _has_body(node):
                found.add(target)
        elif isinstance(node, ast.Assign):  # softmax = lambda X: ...
            found |= {t.id for t in node.targets if isinstance(t, ast.Name) and t.id in names}
    return found


def _extended_class(node, names: set[str]) -> str | None:
    """``@d2l.add_to_class(MLPScratch)`` on a function: the work belongs to MLPScratch."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for arg in decorator.args:
                if isinstance(arg, ast.Name) and arg.id in names:
                    return arg.id
    return None


def _has_body(node) -> bool:
    if isinstance(node, ast.ClassDef):
        return any(_has_body(child) if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                   else not _is_placeholder(child) for child in node.body)
    return not all(_is_placeholder(statement) or _is_super_init(statement)
                   for statement in node.body)


def _is_placeholder(statement) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # a docstring or `...`
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _is_super_init(statement) -> bool:
    """``super().__init__()``: the stub of an nn.Module keeps it."""
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and statement.value.func.attr == "__init__"
            and isinstance(statement.value.func.value, ast.Call)
            and isinstance(statement.value.func.value.func, ast.Name)
            and statement.value.func.value.func.id == "super")


_HEADER = re.compile(r"(?:def|class)\s+([A-Za-z_]\w*)")


def _implemented_by_lines(source: str, names: set[str]) -> set[str]:
    """For text that does not parse: a top-level ``def name`` block counts as
    implemented when it does not raise NotImplementedError."""
    found, current, body = set(), None, []
    for line in source.splitlines() + ["<end>"]:
        if line and not line[0].isspace() and not line.startswith(("#", ")", "]", "}")):
            if current and "NotImplementedError" not in "\n".join(body):
                found.add(current)
            match = _HEADER.match(line)
            current = match[1] if match and match[1] in names else None
            body = []
        else:
            body.append(line)
    return found
