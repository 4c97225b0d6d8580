"""Take from a notebook only what grading needs: the definitions and what they use.

Students' notebooks train models, plot and download datasets at top level;
running that would waste minutes and fail offline.  We split every code cell
into top-level statements and keep, transitively, those that define a name
the assignment asks for (``softmax``, ``MLPScratch``...) or a name a kept
statement uses, plus statements that extend a kept class (d2l's
``@d2l.add_to_class(MLPScratch)`` methods, ``MLPScratch.forward = f``).
Statements keep their notebook order, so a name defined twice ends with its
last definition, as when a kernel runs top to bottom.  Everything else is
reported as skipped.

This runs in the scoring process and only *reads* source text.
"""
import ast
import symtable
from dataclasses import dataclass, field


@dataclass
class Statement:
    cell: int               # position in the chunk list
    first_line: int
    last_line: int
    defines: set = field(default_factory=set)
    uses: set = field(default_factory=set)
    extends: set = field(default_factory=set)   # classes it adds methods/attributes to


def statements_of(chunks: list[dict]) -> tuple[list[Statement], list[dict]]:
    """Top-level statements of every chunk, and the chunks that do not parse."""
    statements, problems = [], []
    for index, chunk in enumerate(chunks):
        try:
            tree = ast.parse(chunk["code"])
        except SyntaxError as exc:
            problems.append({"where": f"{chunk['label']} line {exc.lineno}",
                             "type": "SyntaxError", "message": f"{exc.msg}; cell skipped"})
            continue
        lines = chunk["code"].splitlines()
        for node in tree.body:
            statements.append(_describe(index, node, lines))
    return statements, problems


def _describe(index: int, node: ast.stmt, lines: list[str]) -> Statement:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    source = "\n".join(lines[first - 1:node.end_lineno])
    statement = Statement(index, first, node.end_lineno)
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:  # e.g. `return` outside a function: keep nothing, use nothing
        return statement
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            statement.defines.add(symbol.get_name())
        if symbol.is_referenced():
            statement.uses.add(symbol.get_name())
    for child in table.get_children():
        statement.uses |= _global_uses(child)
    statement.extends = _extended_names(node)
    return statement


def _global_uses(table) -> set:
    """Names a function or class body looks up in the module's namespace."""
    names = set()
    for symbol in table.get_symbols():
        if symbol.is_referenced() and (symbol.is_global() or
                                       (table.get_type() == "class" and not symbol.is_local())):
            names.add(symbol.get_name())
    for child in table.get_children():
        names |= _global_uses(child)
    return names


def _extended_names(node: ast.stmt) -> set:
    """Classes a statement adds to: decorators (``@d2l.add_to_class(C)`` -> C),
    attribute targets (``C.forward = f``), ``setattr(C, "forward", f)`` and
    ``d2l.add_to_class(C)(f)`` written as calls."""
    names = _called_extensions(node)
    for decorator in getattr(node, "decorator_list", []):
        if isinstance(decorator, ast.Call):
            names |= {n.id for arg in decorator.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
    for target in targets:
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _called_extensions(node: ast.stmt) -> set:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return set()
    call = node.value
    if isinstance(call.func, ast.Name) and call.func.id == "setattr" and call.args \
            and isinstance(call.args[0], ast.Name):
        return {call.args[0].id}
    inner = call.func
    if isinstance(inner, ast.Call) and _callee_name(inner.func) == "add_to_class":
        return {n.id for arg in inner.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return set()


def _callee_name(func) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def needed(statements: list[Statement], roots: set[str]) -> list[bool]:
    """Which statements to keep so that ``roots`` and all they use get defined."""
    keep = [False] * len(statements)
    wanted, frontier = set(), set(roots)
    while frontier:
        wanted |= frontier
        frontier = set()
        for index, statement in enumerate(statements):
            if keep[index]:
                continue
            if statement.defines & wanted or statement.extends & wanted:
                keep[index] = True
                frontier |= statement.uses - wanted
    return keep


def slice_chunks(chunks: list[dict], roots: set[str]) -> tuple[list[dict], list[dict]]:
    """Chunks holding only the needed statements, plus a report of what was dropped.

    Dropped lines become blank lines, so line numbers in error messages still
    match the student's cells.
    """
    statements, problems = statements_of(chunks)
    keep = needed(statements, roots)
    kept_lines: dict[int, set] = {}
    for statement, kept in zip(statements, keep):
        if kept:
            kept_lines.setdefault(statement.cell, set()).update(
                range(statement.first_line, statement.last_line + 1))
    sliced = []
    for index, chunk in enumerate(chunks):
        if index not in kept_lines:
            continue
        lines = chunk["code"].splitlines()
        code = "\n".join(line if number in kept_lines[index] else ""
                         for number, line in enumerate(lines, start=1))
        sliced.append({**chunk, "code": code})
    skipped = sum(1 for k in keep if not k)
    if skipped:
        cells = [chunks[i]["label"] for i in sorted({s.cell for s, k in zip(statements, keep) if not k})]
        problems.append({"where": ", ".join(cells[:6]) + (" ..." if len(cells) > 6 else ""),
                         "type": "Skipped",
                         "message": f"{skipped} top-level statement(s) not needed for grading "
                                    "were not run (training loops, plots, downloads, tests)"})
    return sliced, problems
