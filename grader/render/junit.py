"""``junit/<id>.xml``: JUnit XML, for CI dashboards and tools that read test reports.

One ``<testsuite>`` per component, one ``<testcase>`` per check.  A check that
failed is a ``<failure>``; a timeout, crash or grader error is an ``<error>``
(the check could not judge the code); ``skipped`` is ``<skipped>``.  Checks
of a submission that could not be read count as failures, those of a
submission the grader broke on as errors.  Points go into ``<properties>``.
Student text can hold characters XML 1.0 forbids (NUL, escape codes), which
ElementTree would write as-is, so every value is cleaned first.
"""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.status import COULD_NOT_JUDGE, Status
from grader.visibility import student_check

from .common import failure_text, num, zero_reason, zeroed

FORBIDDEN = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(value) -> str:
    """The value as text XML 1.0 can hold."""
    return FORBIDDEN.sub("", str(value))


def write(path: Path, assignment: str, row: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(document(assignment, row))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def document(assignment: str, row: dict) -> ET.Element:
    root = _element("testsuites", name=f"{assignment} {row['student_id']}")
    suites = [_suite(root, assignment, component, row["status"])
              for component in row["result"].get("components", [])]
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key)) for s in suites)))
    root.set("time", f"{sum(float(s.get('time')) for s in suites):.3f}")
    return root


def _suite(root: ET.Element, assignment: str, component: dict, row_status: str) -> ET.Element:
    name = f"{assignment}.{component['name']}"
    suite = _element("testsuite", root, name=name)
    _properties(suite, score=num(component["score"]), max_score=num(component["max_score"]),
                status=component["status"], message=component.get("message", ""))
    counts = {"failure": 0, "error": 0, "skipped": 0}
    for check in component["checks"]:
        outcome = _case(suite, name, component, check, row_status)
        if outcome:
            counts[outcome] += 1
    seconds = sum(float(c.get("seconds") or 0) for c in component["checks"])
    for key, value in (("tests", len(component["checks"])), ("failures", counts["failure"]),
                       ("errors", counts["error"]), ("skipped", counts["skipped"]),
                       ("time", f"{seconds:.3f}")):
        suite.set(key, str(value))
    return suite


def _case(suite, classname, component, check, row_status) -> str | None:
    """Add one testcase; returns its outcome tag (None when it passed)."""
    case = _element("testcase", suite, classname=classname, name=check["name"],
                    time=f"{float(check.get('seconds') or 0):.3f}")
    _properties(case, points=num(check["points"]), max_points=num(check["max_points"]),
                kind=check["kind"], hidden=str(bool(check.get("hidden"))).lower())
    tag, message, details = _outcome(component, check, row_status)
    if tag:
        _element(tag, case, message=message).text = clean(details) or None
    return tag


def _outcome(component: dict, check: dict, row_status: str) -> tuple:
    if check["passed"] and not zeroed(component, check):
        return None, "", ""
    if zeroed(component, check):
        return "failure", f"component scored 0: {zero_reason(component)}", ""
    status = check["status"]
    if status == Status.SKIPPED:
        tag = "skipped"
    elif status in COULD_NOT_JUDGE or (status == Status.NOT_GRADED and row_status == Status.ERROR):
        tag = "error"
    else:
        tag = "failure"
    shown = student_check(check)
    message = ((shown.get("message") or "").strip().splitlines() or [status])[0]
    if shown.get("hidden"):   # the fixed words only: no details, no description
        return tag, message, ""
    return tag, message, "\n".join(filter(None, [failure_text(shown), shown.get("description")]))


def _properties(parent: ET.Element, **values) -> None:
    props = _element("properties", parent)
    for name, value in values.items():
        _element("property", props, name=name, value=value)


def _element(tag: str, parent: ET.Element | None = None, **attrs) -> ET.Element:
    attrs = {key: clean(value) for key, value in attrs.items()}
    return ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
