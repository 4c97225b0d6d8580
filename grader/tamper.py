"""Point instructors at source that reaches for the grader's machinery.

Student code runs in a worker that also holds the from-scratch watch; Python
cannot stop code in the same process from walking frames or the garbage
collector to find and patch it.  The source is scanned for the tools that
tampering needs: importing ``grader``, frame and object walking,
profile/trace hooks, torch's mode-stack internals.  Honest code uses them too
(d2l's ``save_hyperparameters`` reads ``inspect.currentframe().f_back``; a
notebook imports ``gc`` to free memory), and a computed name
(``getattr(torch._C, "Disable" + "TorchFunction")``) escapes any scan, so a
finding is a *flag* for the instructor and never changes a score.  Grades
change only for what the worker observes at run time (:mod:`grader.scratch`).
Code under ``if __name__ == "__main__":`` never runs while grading and is
not scanned.
"""
import ast

SUSPICIOUS_ATTRIBUTES = {
    "_getframe", "get_objects", "get_referrers", "setprofile", "settrace",
    "_disable_current_modes", "_DisableTorchDispatch", "DisableTorchFunction",
    "DisableTorchFunctionSubclass", "_pop_mode", "_push_mode", "_set_torch_function_mode",
    "_get_current_dispatch_mode", "_pop_torch_function_stack", "_pop_torch_dispatch_stack",
    "f_back", "f_globals", "tb_frame", "gi_frame", "currentframe", "getouterframes",
}
SUSPICIOUS_MODULES = {"grader", "gc", "ctypes"}


def scan(chunks: list[dict]) -> list[str]:
    """Human-readable findings, e.g. ``hw1.py line 3: imports grader``."""
    findings = []
    for chunk in chunks:
        try:
            tree = ast.parse(chunk["code"])
        except SyntaxError:
            continue
        for node in _walk_run_code(tree):
            what = _finding(node)
            if what:
                findings.append(f"{chunk['label']} line {getattr(node, 'lineno', '?')}: {what}")
    return findings


def _walk_run_code(tree):
    """``ast.walk`` that skips ``if __name__ == "__main__":`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_main_block(node):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _is_main_block(node) -> bool:
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__"
                    for c in test.comparators))


def _finding(node) -> str:
    if isinstance(node, ast.Import):
        hits = [a.name for a in node.names if a.name.split(".")[0] in SUSPICIOUS_MODULES]
        return f"imports {', '.join(hits)}" if hits else ""
    if isinstance(node, ast.ImportFrom) and node.module and \
            node.module.split(".")[0] in SUSPICIOUS_MODULES:
        return f"imports from {node.module}"
    if isinstance(node, ast.Attribute) and node.attr in SUSPICIOUS_ATTRIBUTES:
        return f"uses .{node.attr}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
            node.value in SUSPICIOUS_ATTRIBUTES or node.value.split(".")[0] == "grader"):
        return f"names {node.value!r}"
    return ""
