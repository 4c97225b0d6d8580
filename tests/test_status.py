"""Status words are one enum (grader/status.py): code compares with its members,
and the files the grader writes keep the same strings."""
import ast
import json

import pytest

from grader import config
from grader.status import CHECK_STATUSES, COMPONENT_STATUSES, ROW_STATUSES, Status

WORDS = {status.value for status in Status}
# Words that are not statuses there: the worker's error kinds (grader/box cannot import
# the scoring side, so its protocol spells them), a Dask future's own state, a late rule.
NOT_STATUSES = {("sandbox.py", "not_implemented"), ("cluster.py", "error"), ("policy.py", "zero")}


def _compared_words(path):
    """(line, word) for each status word compared as a bare string literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                items = part.elts if isinstance(part, (ast.Tuple, ast.List, ast.Set)) else [part]
                found += [(node.lineno, item.value) for item in items
                          if isinstance(item, ast.Constant) and item.value in WORDS]
    return found


def test_code_compares_statuses_with_the_enum_not_bare_strings():
    grader = config.REPO_ROOT / "grader"
    skip = {"box", "checks", "release_template", "gradescope_template", "d2l_shim"}
    modules = [p for p in grader.rglob("*.py") if not skip & set(p.relative_to(grader).parts)]
    bare = {f"{p.relative_to(grader)}:{line}": word for p in modules
            for line, word in _compared_words(p) if (p.name, word) not in NOT_STATUSES}
    assert not bare


def test_the_enum_keeps_the_strings_files_hold():
    assert json.dumps([Status.PASSED, Status.NOT_IMPLEMENTED]) == '["passed", "not_implemented"]'
    assert f"{Status.WITHHELD}" == "withheld" and Status("banned") is Status.BANNED
    assert CHECK_STATUSES | COMPONENT_STATUSES | ROW_STATUSES == set(Status)


def test_a_row_without_result_takes_only_a_row_status():
    from grader.instructor.job import failed_row
    assert failed_row(Status.UNREADABLE, "bad zip")["status"] == "unreadable"
    for wrong in (Status.GRADED, Status.PASSED, "eror"):
        with pytest.raises(ValueError):
            failed_row(wrong, "x")
