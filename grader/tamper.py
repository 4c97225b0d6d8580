"""Spot submissions that reach for the grader's machinery instead of doing the work.

Student code runs in a worker that also holds the from-scratch watch; Python
cannot stop code in the same process from walking frames or the garbage
collector to find and patch it.  What the scoring process decides from
returned numbers cannot be forged that way, but the watch could be switched
off.  So, before anything runs, the source is scanned for the few tools that
tampering needs and no homework does: importing ``grader``, frame and object
walking, profile/trace hooks, and torch's mode-stack internals.  A hit scores
the submission 0 with the reason; it is reported to instructors, not hidden.
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
        for node in ast.walk(tree):
            what = _finding(node)
            if what:
                findings.append(f"{chunk['label']} line {getattr(node, 'lineno', '?')}: {what}")
    return findings


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
