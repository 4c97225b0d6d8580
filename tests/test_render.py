"""grader/render on its own: blocks, common helpers, feedback pages and JUnit, fast.

``make mutate`` judges grader/render and grader/visibility with these tests
(no batch export, no worker): each pins what a renderer writes for one small
input, so a changed word, escape, count or rule fails a test here.
tests/test_exports.py renders whole batches; tests/test_visibility.py proves
no student output shows a hidden check's text.
"""
import xml.etree.ElementTree as ET

import pytest

from grader.render import blocks as b
from grader.render import common, feedback, junit


# ---------------------------------------------------------------- blocks

def test_printable_drops_terminal_codes_and_control_characters_but_keeps_layout():
    assert b.printable("a\r\nb\rc\x1b[31md\x1b[0m\x00e\tf\x7fg\x0bh\x0ci\x1fj\x08k") == \
        "a\nb\ncde\tfghijk"
    assert b.printable(5) == "5"
    assert b.printable("\x1b[1;32mok\x1b[K") == "ok"


def test_md_inline_is_one_line_without_markup():
    assert b.md_inline("a *b* _c_ `d` [e] |f| #g \\h <i> & \"q\" 'r'") == \
        "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\] \\|f\\| \\#g \\\\h &lt;i&gt; &amp; \"q\" 'r'"
    assert b.md_inline("  two\n lines\x1b[31m\t ") == "two lines"
    assert b.md_inline(3.5) == "3.5"


@pytest.mark.parametrize("text, fence", [("abc\n\n", "```"), ("a `` b", "```"), ("a ``` b", "````"),
                                         ("x ````` y ` z", "``````")])
def test_md_fence_is_longer_than_any_backtick_run_inside(text, fence):
    assert b.md_fence(text) == f"{fence}text\n{text.rstrip()}\n{fence}"


def test_md_fence_drops_terminal_codes():
    assert b.md_fence("\x1b[31mred\x1b[0m\r\n") == "```text\nred\n```"


BLOCKS = [b.Heading(2, "a*b <c>"), b.Para("x\ty  z & <p>"), b.Field("Total", "44 / 47"),
          b.Pre("code ``` <here>\x00\n"), b.Table(["a", "b|"], [["1", "x|y"], [2, "<td>"]])]


def test_to_markdown_renders_each_block():
    assert b.to_markdown(BLOCKS) == (
        "## a\\*b &lt;c&gt;\n\n"
        "x y z &amp; &lt;p&gt;\n\n"
        "**Total:** 44 / 47\n\n"
        "````text\ncode ``` <here>\n````\n\n"
        "| a | b\\| |\n| --- | --- |\n| 1 | x\\|y |\n| 2 | &lt;td&gt; |\n")


def test_to_html_renders_each_block_escaped_in_a_page():
    page = b.to_html(BLOCKS, "kim's <feedback>")
    assert page == (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>kim&#x27;s &lt;feedback&gt;</title><style>{b.CSS}</style></head>\n"
        "<body>\n"
        "<h2>a*b &lt;c&gt;</h2>\n"
        "<p>x\ty  z &amp; &lt;p&gt;</p>\n"
        "<p><strong>Total:</strong> 44 / 47</p>\n"
        "<pre>code ``` &lt;here&gt;\n</pre>\n"
        "<table>\n<tr><th>a</th><th>b|</th></tr>\n"
        "<tr><td>1</td><td>x|y</td></tr>\n<tr><td>2</td><td>&lt;td&gt;</td></tr>\n</table>\n"
        "</body></html>\n")
    assert b.CSS.startswith("body{font-family:system-ui,sans-serif;") and \
        b.CSS.endswith("h3{margin-bottom:.25rem}") and "pre{background:#f4f4f4;" in b.CSS


def test_html_heading_level_and_html_table_leaves_cells_to_the_caller():
    assert b.to_html([b.Heading(3, "h")], "t").count("<h3>h</h3>") == 1
    assert b.html_table(["<x>", 1], [['<a href="f">f</a>', "&amp;"]]) == (
        "<table>\n<tr><th>&lt;x&gt;</th><th>1</th></tr>\n"
        "<tr><td><a href=\"f\">f</a></td><td>&amp;</td></tr>\n</table>")
    assert b.html_table(["a"], []) == "<table>\n<tr><th>a</th></tr>\n</table>"


# ---------------------------------------------------------------- common

@pytest.mark.parametrize("value, expected", [(None, 0), ("", 0), (0, 0), (44.0, 44), ("3", 3),
                                             (2.5, 2.5), (1 / 3, 0.3333), (2 / 3, 0.6667),
                                             (-1.0, -1)])
def test_num_writes_whole_numbers_without_a_decimal_point(value, expected):
    assert common.num(value) == expected and type(common.num(value)) is type(expected)


@pytest.mark.parametrize("student_id, name", [("../a b", "_a_b"), ("...", "_"), ("", "_"),
                                              ("A-z_0.9", "A-z_0.9"), (".hidden.x", "hidden.x"),
                                              ("é/ü", "___"), (42, "42"),
                                              ("Xavier.X", "Xavier.X")])
def test_safe_name_cannot_leave_its_folder(student_id, name):
    assert common.safe_name(student_id) == name


def _check(name, passed=True, points=1, max_points=1, status=None, message="", example="",
           kind="property", hidden=False, description="", seconds=0.25):
    status = status or ("passed" if passed else "failed")
    return {"name": name, "kind": kind, "passed": passed, "points": points,
            "max_points": max_points, "message": message, "status": status, "example": example,
            "hidden": hidden, "description": description, "seconds": seconds}


def _component(name, status, checks, score=0, max_score=None, message=""):
    return {"name": name, "status": status, "score": score, "message": message,
            "max_score": sum(c["max_points"] for c in checks) if max_score is None else max_score,
            "checks": checks}


def test_iter_checks_numbers_from_one_in_result_order():
    result = {"components": [_component("a", "full", [_check("x"), _check("y")]),
                             _component("b", "full", [_check("z")]), _component("c", "full", [])]}
    assert [(ci, comp["name"], ki, check["name"])
            for ci, comp, ki, check in common.iter_checks(result)] == \
        [(1, "a", 1, "x"), (1, "a", 2, "y"), (2, "b", 1, "z")]
    assert list(common.iter_checks({})) == []
    assert list(common.iter_checks({"components": [{"name": "a"}]})) == []
    assert common.label({"name": "softmax"}, {"name": "shape"}) == "softmax.shape"


@pytest.mark.parametrize("status", ["banned", "not_implemented"])
def test_a_zeroed_component_makes_its_passed_checks_worth_nothing(status):
    component = {"status": status}
    assert common.zeroed(component, _check("a", max_points="2"))
    assert not common.zeroed(component, _check("a", points=0, max_points=0))   # lost nothing
    assert not common.zeroed(component, _check("a", False, 0))
    assert common.effective_points(component, _check("a", points=2)) == 0.0
    assert not common.counts_as_passed(component, _check("a"))


@pytest.mark.parametrize("status", ["full", "partial", "zero", "not_graded"])
def test_other_components_keep_their_checks_points(status):
    component = {"status": status}
    assert not common.zeroed(component, _check("a"))
    assert common.effective_points(component, _check("a", points="1.5")) == 1.5
    assert common.counts_as_passed(component, _check("a"))
    assert not common.counts_as_passed(component, _check("a", False, 0))


def test_zero_reason_drops_the_scored_0_prefix_or_falls_back_to_the_status():
    assert common.zero_reason({"status": "banned", "message": "scored 0: it calls F.relu"}) == \
        "it calls F.relu"
    assert common.zero_reason({"status": "banned", "message": "it scored 0: x"}) == "it scored 0: x"
    assert common.zero_reason({"status": "not_implemented", "message": ""}) == "not_implemented"
    assert common.zero_reason({"status": "banned"}) == "banned"


def test_failure_text_is_message_and_failing_input_as_a_student_may_see_them():
    assert common.failure_text(_check("a", False, 0, message=" off", example="X=1")) == \
        "off\nSmallest failing input: X=1"
    assert common.failure_text(_check("a", False, 0, message="", example="X=1 ")) == \
        "Smallest failing input: X=1"
    assert common.failure_text(_check("a", False, 0, message="off")) == "off"
    assert common.failure_text({"name": "a", "message": None, "example": "X=1"}) == \
        "Smallest failing input: X=1"
    assert common.failure_text({"name": "a"}) == ""
    hidden = _check("a", False, 0, status="failed", message="secret", example="X=secret",
                    hidden=True)
    assert common.failure_text(hidden) == "hidden check failed"


def test_status_explanation_says_what_happened_and_what_to_do():
    unreadable = common.status_explanation(
        {"status": "unreadable", "file": "kim.ipynb", "status_message": "invalid JSON"})
    assert unreadable == (
        "Your submission 'kim.ipynb' could not be read: invalid JSON. No checks were run. "
        "Resubmit your work as a valid Jupyter notebook (.ipynb) or Python file (.py); open it "
        "once in Jupyter or Python to make sure it loads.")
    assert common.status_explanation({"status": "unreadable"}).startswith(
        "Your submission '' could not be read: no details. ")
    assert common.status_explanation({"status": "unsupported", "status_message": "a .docx"}) == \
        "Your submission could not be graded: a .docx. No checks were run."
    assert common.status_explanation({"status": "error", "status_message": ""}) == (
        "The grader failed on your submission (no details). This is a problem with the grader, "
        "not with your work; your instructor will look at it and regrade it.")
    assert common.status_explanation({"status": "graded", "status_message": "x"}) == ""


# ---------------------------------------------------------------- feedback

def _result():
    """One of each: a passed, failed (public and hidden), timed-out and skipped check,
    a banned and a not-implemented component, load problems of every kind, output."""
    softmax = [_check("shape", points=1.5, max_points=1.5),
               _check("stable", False, 0, 2, message="gave NaN\nsecond line", example="X=[[89.]]",
                      description="no overflow"),
               _check("secret", False, 0, 1, message="hidden text", example="hidden ex",
                      hidden=True, description="hidden desc"),
               _check("slow", False, 0, 1, "timeout", "took longer than 5 s"),
               _check("gpu_parity", False, 0, 0, "skipped", "no CUDA device", kind="parity"),
               _check("needs_new", False, 0, 0, "skipped", "needs torch 2.5")]
    relu = [_check("from_scratch", False, 0, 1, message="it calls F.relu", kind="scratch"),
            _check("values")]
    mlp = [_check("forward", False, 0, 1, "not_implemented", "raises NotImplementedError")]
    return {"assignment": "hw1", "score": 3.5, "max_score": 9.0,
            "late_penalty": "-10% (1 day late)",
            "components": [_component("softmax", "partial", softmax, 3.5, 6.0),
                           _component("relu", "banned", relu, message="scored 0: it calls F.relu"),
                           _component("mlp", "not_implemented", mlp, message="not implemented yet")],
            "load_problems": [{"where": "cell 3", "type": "NameError",
                               "message": "name 'np' is not defined"},
                              {"where": "cell 9", "type": "Skipped", "message": "trainer.fit(model)"},
                              {"where": "", "type": "Empty", "message": "empty file"},
                              {"where": "", "type": "NotANotebook", "message": "a .py file"}],
            "student_output": "epoch 1\n"}


def _row(result=None, status="graded", status_message="superseded by kim2.ipynb"):
    return {"student_id": "kim_42", "file": "kim.ipynb", "status": status,
            "status_message": status_message, "result": result or _result()}


FEEDBACK_MD = """\
# hw1 feedback: kim\\_42

Basics (hw1), file kim.ipynb

**Total:** 3.5 / 9

**Late:** -10% (1 day late)

**Note:** superseded by kim2.ipynb

## Components

| component | score | status | note |
| --- | --- | --- | --- |
| softmax | 3.5 / 6 | some checks failed |  |
| relu | 0 / 2 | scored 0 (from-scratch check failed) | scored 0: it calls F.relu |
| mlp | 0 / 1 | not implemented | not implemented yet |

## Failed checks

### softmax.stable

**Kind:** property

**Points lost:** 2 of 2

**What it checks:** no overflow

```text
gave NaN
second line
```

**Smallest failing input:** 

```text
X=[[89.]]
```

### softmax.secret

hidden check: 0 / 1

```text
hidden check failed
```

### softmax.slow

**Kind:** property

**Points lost:** 1 of 1

```text
took longer than 5 s
```

### relu.from\\_scratch

**Kind:** scratch

**Points lost:** 1, and the whole component scores 0

```text
it calls F.relu
```

Did not run here (1 check(s): softmax.gpu\\_parity): the grading machine has no GPU (parity checks, 0 points, not run)

Did not run here (1 check(s): softmax.needs\\_new): needs torch 2.5

## Problems while loading your code

These top-level statements were skipped; the rest of your file still ran.

| where | type | message |
| --- | --- | --- |
| cell 3 | NameError | name 'np' is not defined |

## Not run on purpose

Grading runs only your definitions and what they use; these statements (training loops, plots, tests) were left out. Nothing is wrong with them.

| where | what |
| --- | --- |
| cell 9 | trainer.fit(model) |

## What your code printed

```text
epoch 1
```
"""


def test_feedback_page_in_full():
    assert b.to_markdown(feedback.build("hw1", "Basics", _row())) == FEEDBACK_MD


def test_feedback_write_puts_both_renderings_in_the_folder(tmp_path):
    md, page = feedback.write(tmp_path / "fb" / "new", "kim", "hw1", "Basics", _row())
    assert (md, page) == (tmp_path / "fb/new/kim.md", tmp_path / "fb/new/kim.html")
    assert md.read_text(encoding="utf-8") == FEEDBACK_MD
    html = page.read_text(encoding="utf-8")
    assert "<title>hw1 feedback: kim_42</title>" in html
    assert "<h3>softmax.stable</h3>" in html and "<pre>X=[[89.]]</pre>" in html
    feedback.write(tmp_path / "fb" / "new", "kim", "hw1", "Basics", _row())   # folder exists


def test_feedback_statuses_in_words():
    result = _result()
    for component, status in zip(result["components"], ["full", "zero", "not_graded"]):
        component["status"] = status
    result["components"].append(_component("extra", "mystery", []))
    table = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    for line in ("| softmax | 3.5 / 6 | all checks pass |  |", "| relu | 0 / 2 | no check passed |",
                 "| mlp | 0 / 1 | not graded |", "| extra | 0 / 0 | mystery |"):
        assert line in table, line


def test_feedback_of_a_graded_row_without_a_note_problems_or_output():
    result = _result()
    del result["late_penalty"]
    result.update(load_problems=None, student_output=" \n")
    result["components"] = result["components"][2:]          # only the not-implemented one
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result, status_message="")))
    assert md.split("\n\n")[3:] == [
        "## Components", "| component | score | status | note |\n| --- | --- | --- | --- |\n"
        "| mlp | 0 / 1 | not implemented | not implemented yet |",
        "## Failed checks", "Every check passed.\n"]


@pytest.mark.parametrize("status, words", [
    ("unreadable", "Your submission 'kim.ipynb' could not be read: bad JSON."),
    ("error", "The grader failed on your submission (bad JSON)."),
    ("unsupported", "Your submission could not be graded: bad JSON.")])
def test_feedback_of_a_row_that_was_not_graded_says_why_and_lists_no_checks(status, words):
    result = _result()
    result["load_problems"], result["student_output"] = [], ""
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result, status, "bad JSON")))
    fields = md.split("\n\n")
    assert fields[3] == "**Late:** -10% (1 day late)"
    assert fields[4].startswith("**Not graded:** " + b.md_inline(words)) and len(fields) == 5
    assert "Note" not in md


def test_feedback_names_checks_not_run_for_another_reason_than_a_missing_gpu():
    result = _result()
    skipped = [c for c in result["components"][0]["checks"] if c["status"] == "skipped"]
    for check in skipped:
        check["message"] = "needs torch 2.5"
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "Did not run here (2 check(s): softmax.gpu\\_parity, softmax.needs\\_new): " \
           "needs torch 2.5\n" in md and "no GPU" not in md


def test_a_scratch_check_of_a_component_that_is_not_banned_loses_its_own_points():
    result = _result()
    result["components"][1]["status"] = "zero"
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "### relu.from\\_scratch\n\n**Kind:** scratch\n\n**Points lost:** 1 of 1" in md
    result["components"][1].update(status="banned", checks=[
        _check("values", False, 0.5, 2, message="off", kind="property")])
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "**Points lost:** 1.5 of 2" in md


def test_a_hidden_check_shows_its_points_and_fixed_words_only():
    result = _result()
    secret = result["components"][0]["checks"][2]
    secret.update(status="withheld", passed=False, points=0, withheld_by=["shape"])
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert ("### softmax.secret\n\nhidden check: 0 / 1\n\n```text\nhidden check: earns its "
            "points once shape passes\n```") in md
    secret.update(status="failed", withheld_by=None, message="")
    result["components"][0]["checks"] = [secret]
    secret["hidden"] = True
    blocks = feedback._failure(result["components"][0], dict(secret, message=""))
    assert blocks == [b.Heading(3, "softmax.secret"), b.Para("hidden check: 0 / 1")]


# ---------------------------------------------------------------- JUnit

def _props(element) -> dict:
    props = element.find("properties")
    assert [p.tag for p in props] == ["property"] * len(props)
    return {p.get("name"): p.get("value") for p in props}


def _case(root, suite, name):
    return root.find(f"testsuite[@name='hw1.{suite}']/testcase[@name='{name}']")


def test_junit_counts_per_suite_and_in_total():
    root = junit.document("hw1", _row())
    assert root.tag == "testsuites" and root.get("name") == "hw1 kim_42"
    suites = [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"),
               s.get("skipped"), s.get("time")) for s in root.findall("testsuite")]
    assert suites == [("hw1.softmax", "6", "2", "1", "2", "1.500"),
                      ("hw1.relu", "2", "2", "0", "0", "0.500"),
                      ("hw1.mlp", "1", "1", "0", "0", "0.250")]
    assert [root.get(k) for k in ("tests", "failures", "errors", "skipped", "time")] == \
        ["9", "5", "1", "2", "2.250"]
    assert _props(root.find("testsuite[@name='hw1.relu']")) == {
        "score": "0", "max_score": "2", "status": "banned", "message": "scored 0: it calls F.relu"}
    assert _props(root.find("testsuite[@name='hw1.softmax']")) == {
        "score": "3.5", "max_score": "6", "status": "partial", "message": ""}


def test_junit_of_a_component_without_a_message_or_a_result_without_components():
    result = _result()
    del result["components"][0]["message"]
    root = junit.document("hw1", _row(result))
    assert _props(root.find("testsuite[@name='hw1.softmax']"))["message"] == ""
    empty = junit.document("hw1", _row({"score": 0, "max_score": 0}))
    assert [empty.get(k) for k in ("tests", "failures", "errors", "skipped", "time")] == \
        ["0", "0", "0", "0", "0.000"] and len(empty) == 0


def test_junit_cases_carry_their_points_and_outcome():
    root = junit.document("hw1", _row())
    shape = _case(root, "softmax", "shape")
    assert (shape.get("classname"), shape.get("time")) == ("hw1.softmax", "0.250")
    assert _props(shape) == {"points": "1.5", "max_points": "1.5", "kind": "property",
                             "hidden": "false"}
    assert len(shape) == 1                                            # properties, no outcome
    stable = _case(root, "softmax", "stable").find("failure")
    assert stable.get("message") == "gave NaN"
    assert stable.text == "gave NaN\nsecond line\nSmallest failing input: X=[[89.]]\nno overflow"
    secret = _case(root, "softmax", "secret")
    assert _props(secret)["hidden"] == "true"
    assert secret.find("failure").attrib == {"message": "hidden check failed"}
    assert secret.find("failure").text is None
    slow = _case(root, "softmax", "slow").find("error")
    assert (slow.get("message"), slow.text) == ("took longer than 5 s", "took longer than 5 s")
    skipped = _case(root, "softmax", "gpu_parity").find("skipped")
    assert (skipped.get("message"), skipped.text) == ("no CUDA device", "no CUDA device")
    zeroed = _case(root, "relu", "values")
    assert zeroed.find("failure").attrib == {"message": "component scored 0: it calls F.relu"}
    assert zeroed.find("failure").text is None
    ni = _case(root, "mlp", "forward").find("failure")
    assert (ni.get("message"), ni.text) == ("raises NotImplementedError",
                                            "raises NotImplementedError")


@pytest.mark.parametrize("status", ["crashed", "error"])
def test_a_check_that_could_not_judge_the_code_is_an_error(status):
    result = _result()
    result["components"][0]["checks"][1].update(status=status, message="")
    case = _case(junit.document("hw1", _row(result)), "softmax", "stable")
    assert case.find("error").get("message") == status and case.find("failure") is None
    assert case.find("error").text == "Smallest failing input: X=[[89.]]\nno overflow"


def test_a_check_without_a_time_counts_zero_seconds():
    result = _result()
    for check in result["components"][2]["checks"]:
        check["seconds"] = None
    root = junit.document("hw1", _row(result))
    assert root.find("testsuite[@name='hw1.mlp']").get("time") == "0.000"
    assert _case(root, "mlp", "forward").get("time") == "0.000"
    assert root.get("time") == "2.000"
    del result["components"][2]["checks"][0]["seconds"]
    assert junit.document("hw1", _row(result)).get("time") == "2.000"


@pytest.mark.parametrize("row_status, tag", [("error", "error"), ("unreadable", "failure")])
def test_checks_of_a_row_not_graded_are_errors_only_when_the_grader_broke(row_status, tag):
    result = _result()
    for component in result["components"]:
        component["status"] = "not_graded"
        for check in component["checks"]:
            check.update(passed=False, points=0, status="not_graded", message="not graded: x")
    root = junit.document("hw1", _row(result, row_status))
    other = {"error": "failures", "failure": "errors"}[tag]
    assert root.get(tag + "s") == root.get("tests") == "9" and root.get(other) == "0"
    assert _case(root, "softmax", "shape").find(tag).get("message") == "not graded: x"


def test_junit_values_are_cleaned_of_what_xml_forbids():
    assert junit.clean("a\x00b\x1b[31mc\x7f\td\ne\rf\ud800g\ufffe\U0001f600") == \
        "ab[31mc\x7f\td\ne\rfg\U0001f600"
    assert junit.clean(1.5) == "1.5"
    result = _result()
    result["components"][0]["checks"][1]["message"] = "bad\x00 \x1b[1mthing"
    stable = _case(junit.document("hw1", _row(result)), "softmax", "stable").find("failure")
    assert stable.get("message") == "bad [1mthing" and stable.text.startswith("bad [1mthing\n")


def test_junit_write_is_an_indented_utf8_file_with_a_declaration(tmp_path):
    path = junit.write(tmp_path / "out" / "junit" / "kim.xml", "hw1", _row())
    assert path == tmp_path / "out" / "junit" / "kim.xml"
    junit.write(tmp_path / "out" / "junit" / "lee.xml", "hw1", _row())     # the folder exists
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites name=\"hw1 kim_42\"")
    assert "\n  <testsuite name=\"hw1.softmax\"" in text
    assert ET.tostring(ET.parse(path).getroot()) == \
        ET.tostring(ET.fromstring(ET.tostring(_indented(junit.document("hw1", _row())))))


def _indented(element):
    ET.indent(element)
    return element


# ---------------------------------------------------------------- feedback: missing fields

def test_feedback_leaves_out_what_a_row_or_result_does_not_carry():
    result = _result()
    del result["components"][1]["message"]
    result["load_problems"] = [{"type": "NameError"}, {"where": "cell 2"}, {"type": "Skipped"}]
    row = _row(result)
    del row["file"]
    md = b.to_markdown(feedback.build("hw1", "Basics", row))
    assert "\n\nBasics (hw1), file\n\n" in md
    assert "| relu | 0 / 2 | scored 0 (from-scratch check failed) |  |\n" in md
    assert "| where | type | message |\n| --- | --- | --- |\n|  | NameError |  |\n" \
           "| cell 2 |  |  |\n\n" in md
    assert md.endswith("| where | what |\n| --- | --- |\n|  |  |\n\n## What your code printed"
                       "\n\n```text\nepoch 1\n```\n")
    assert "None" not in md and "XX" not in md


def test_feedback_names_a_check_not_run_here_without_a_message():
    result = _result()
    del result["components"][0]["checks"][5]["message"]
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "Did not run here (1 check(s): softmax.needs\\_new):\n\n" in md
    assert "None" not in md and "XX" not in md


def test_feedback_lists_failures_of_components_after_a_not_implemented_one():
    result = _result()
    result["components"].reverse()                   # mlp (not implemented) first
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "### softmax.stable" in md and "### relu.from\\_scratch" in md
    assert "### mlp.forward" not in md


def test_a_hidden_check_shows_the_points_it_earned():
    result = _result()
    result["components"][0]["checks"][2]["points"] = 0.25
    md = b.to_markdown(feedback.build("hw1", "Basics", _row(result)))
    assert "### softmax.secret\n\nhidden check: 0.25 / 1\n\n" in md


def test_feedback_files_are_written_as_utf8_whatever_the_locale(tmp_path):
    """Student names and messages are not ASCII; the default encoding is the locale's."""
    encodings = []

    class Spy(type(tmp_path)):
        def write_text(self, data, encoding=None, errors=None, newline=None):
            encodings.append(encoding)
            return super().write_text(data, encoding=encoding, errors=errors, newline=newline)

    feedback.write(Spy(tmp_path), "zoë", "hw1", "Basics", _row())
    assert [e.lower().replace("_", "-") if e else e for e in encodings] == ["utf-8", "utf-8"]
