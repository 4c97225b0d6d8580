"""Batch exports (grader/instructor/exports, grader/render): CSVs, Canvas, feedback, Gradescope, JUnit, report.

Rows are built from the real hw1 rubric so that names, points and order look
like a real batch: full marks, a partial one (failed, hidden, timed-out,
banned and not-implemented components, load problems, hostile output), an
unreadable notebook and a grader error.
"""
import base64
import copy
import inspect
import csv
import io
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from grader.instructor.exports import plots, write_all
from grader.render.common import safe_name

REPO = Path(__file__).resolve().parent.parent
RUBRIC = tomllib.loads((REPO / "grader/checks/hw1/rubric.toml").read_text())
TITLE = RUBRIC["title"]
COMPONENTS = list(RUBRIC["components"])
MAX = sum(c["points"] for comp in RUBRIC["components"].values() for c in comp["checks"].values())
SECRET = "SECRET-upstream-gradient-index-3"
SCRIPT = "<script>alert('pwned')</script>"
EXAMPLE = "X=tensor([[89., 89.]])"


STAND_IN_PNG = base64.b64encode(b"\x89PNG stand-in").decode("ascii")


PLOTS = ("totals_histogram", "pass_rate_bars", "component_mean_bars")


@pytest.fixture(autouse=True)
def figures(request, monkeypatch) -> list:
    """The summary's figures, drawn but not rendered to PNG, for a test that asks for
    ``figures``; not even drawn for the others (drawing and rendering are most of an
    export's time, ~2.5 s of 3 on a loaded machine, and ``make mutate`` runs these
    tests once per mutant); a test that asks for ``real_plots`` gets real PNGs."""
    drawn = []
    if "real_plots" in request.fixturenames:
        return drawn

    def stand_in(figure):
        drawn.append(figure)
        return STAND_IN_PNG
    monkeypatch.setattr(plots, "to_png_base64", stand_in)
    if "figures" not in inspect.signature(request.function).parameters:
        for name in PLOTS:
            monkeypatch.setattr(plots, name, lambda *args: STAND_IN_PNG)
    return drawn


@pytest.fixture
def real_plots():
    """Render the summary's plots for real (see ``figures``)."""


# ---------------------------------------------------------------- row builder

def full_result() -> dict:
    components = []
    for name, comp in RUBRIC["components"].items():
        checks = [{"name": check, "kind": spec["kind"], "passed": True, "points": spec["points"],
                   "max_points": spec["points"], "message": "", "status": "passed",
                   "example": "", "hidden": spec.get("hidden", False),
                   "description": spec["description"], "seconds": 0.05}
                  for check, spec in comp["checks"].items()]
        components.append({"name": name, "score": 0, "max_score": 0, "status": "full",
                           "message": "", "checks": checks})
    result = {"assignment": "hw1", "score": 0, "max_score": 0, "components": components,
              "load_problems": [], "student_output": ""}
    return rescore(result)


def rescore(result: dict) -> dict:
    """Component and total scores from the checks, as grader.scoring decides them."""
    for comp in result["components"]:
        comp["max_score"] = sum(c["max_points"] for c in comp["checks"])
        earned = sum(c["points"] for c in comp["checks"])
        if comp["status"] in ("banned", "not_implemented", "not_graded"):
            comp["score"] = 0
        else:
            comp["score"] = earned
            comp["status"] = ("full" if earned == comp["max_score"]
                              else "zero" if earned == 0 else "partial")
    result["score"] = sum(c["score"] for c in result["components"])
    result["max_score"] = sum(c["max_score"] for c in result["components"])
    return result


def check(result: dict, component: str, name: str) -> dict:
    comp = next(c for c in result["components"] if c["name"] == component)
    return next(c for c in comp["checks"] if c["name"] == name)


def fail(result, component, name, message, status="failed", example="", hidden=None):
    target = check(result, component, name)
    target.update(passed=False, points=0, message=message, status=status, example=example)
    if hidden is not None:
        target["hidden"] = hidden


def set_component(result, component, status, message):
    comp = next(c for c in result["components"] if c["name"] == component)
    comp.update(status=status, message=message)
    return comp


def row(student_id, result, status="graded", status_message="", seconds=12.4):
    return {"student_id": student_id, "file": f"{student_id}_hw1.ipynb", "status": status,
            "status_message": status_message, "seconds": seconds, "result": result}


def partial_result() -> dict:
    result = full_result()
    fail(result, "softmax", "numerically_stable",
         "softmax(X) gave inf or NaN for float32 inputs up to |x| = 89. "
         "Hint: subtract each row's maximum before exponentiating", example=EXAMPLE)
    fail(result, "softmax", "gradient", f"gradient mismatch {SECRET}",
         example="X=tensor([[0.5]]) SECRET-EXAMPLE", hidden=True)
    fail(result, "relu", "gradient", "relu(X) took longer than 5 s", status="timeout")
    fail(result, "sgd", "updates_in_place", f"parameters were replaced {SCRIPT}\x00\x1b[31m")
    banned = ("it calls torch.nn.functional.cross_entropy, which this component must "
              "implement from scratch; rewrite it with basic tensor operations")
    fail(result, "cross_entropy", "from_scratch", banned)
    set_component(result, "cross_entropy", "banned", f"scored 0: {banned}")
    mlp = set_component(result, "mlp_scratch", "not_implemented", "not implemented yet")
    for c in mlp["checks"]:
        fail(result, "mlp_scratch", c["name"], "MLPScratch raises NotImplementedError",
             status="not_implemented")
    result["load_problems"] = [{"where": "hw1.py line 40", "type": "NameError",
                                "message": "name 'd2l_plot' is not defined"}]
    result["student_output"] = f"epoch 1 loss 0.53\n{SCRIPT}\n"
    return rescore(result)


def not_graded_result(message: str) -> dict:
    result = full_result()
    for comp in result["components"]:
        comp.update(status="not_graded", message=message)
        for c in comp["checks"]:
            c.update(passed=False, points=0, status="not_graded", message=message, seconds=0)
    return rescore(result)


def make_rows() -> list[dict]:
    bad_json = "not a notebook: invalid JSON at line 3"
    return [row("alice_1234", full_result()),
            row("bob_2345", partial_result()),
            row("carol_3456", not_graded_result("not graded: the submission could not be read"),
                "unreadable", bad_json, seconds=0.1),
            row("dave_4567", not_graded_result("not graded: internal grader error"),
                "error", "grader error: worker did not start", seconds=0.3)]


def export(tmp_path, rows=None) -> tuple[dict, Path]:
    rows = make_rows() if rows is None else rows
    return write_all(tmp_path / "out", "hw1", TITLE, rows), tmp_path / "out"


def unescape_md(text: str) -> str:
    """Markdown as rendered text: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


# ---------------------------------------------------------------- sanity of the builder

def test_every_export_agrees_on_each_students_points(tmp_path):
    """grades.csv, canvas.csv and Gradescope's results (its total and the sum of its
    tests) give every student the same score: the rows' own."""
    rows = make_rows()
    written, out = export(tmp_path, rows)
    grades = {line[0]: line for line in read_csv(written["grades.csv"])[1:]}
    canvas = {line[3]: line for line in read_csv(written["canvas.csv"])[2:]}
    for row in rows:
        sid, score = row["student_id"], row["result"]["score"]
        assert float(grades[sid][3]) == score
        assert canvas[sid][5] == ("" if row["status"] == "error" else str(int(score)))
        results = json.loads((out / "gradescope" / sid / "results.json").read_text())
        assert results["score"] == score
        assert sum(t["score"] for t in results["tests"]) == score


# ---------------------------------------------------------------- grades.csv

def test_grades_csv_header_and_values(tmp_path):
    written, out = export(tmp_path)
    table = read_csv(written["grades.csv"])
    assert table[0] == ["student_id", "file", "status", "total", "max_total", *COMPONENTS,
                        "status_message", "late", "late_penalty"]
    by_id = {line[0]: dict(zip(table[0], line)) for line in table[1:]}
    assert list(by_id) == ["alice_1234", "bob_2345", "carol_3456", "dave_4567"]
    assert by_id["alice_1234"]["total"] == "47" and by_id["alice_1234"]["max_total"] == "47"
    bob = by_id["bob_2345"]
    assert (bob["softmax"], bob["cross_entropy"], bob["sgd"], bob["relu"],
            bob["mlp_scratch"]) == ("8", "0", "9", "5", "0")
    assert bob["total"] == "22" and bob["file"] == "bob_2345_hw1.ipynb"
    carol = by_id["carol_3456"]
    assert carol["status"] == "unreadable" and "invalid JSON" in carol["status_message"]
    numbers = [line[3:-1] for line in table[1:]]
    assert not any(cell.endswith(".0") for cells in numbers for cell in cells)


def test_grades_csv_keeps_fractions(tmp_path):
    result = full_result()
    check(result, "softmax", "rows_sum_to_one")["points"] = 1.5
    written, _ = export(tmp_path, [row("frank_1", rescore(result))])
    values = dict(zip(*read_csv(written["grades.csv"])))
    assert values["softmax"] == "9.5" and values["total"] == "46.5"


# ---------------------------------------------------------------- canvas.csv

def test_canvas_csv(tmp_path):
    written, _ = export(tmp_path)
    table = read_csv(written["canvas.csv"])
    column = f"{TITLE} (hw1)"
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    assert table[1] == ["Points Possible", "", "", "", "", "47"]
    students = {line[3]: line for line in table[2:]}
    assert students["bob_2345"] == ["bob_2345", "", "", "bob_2345", "", "22"]
    assert students["carol_3456"][5] == "0"
    assert students["dave_4567"][5] == ""        # grader error: leave Canvas alone
    assert len(table) == 2 + 4


# ---------------------------------------------------------------- Gradescope

def test_gradescope_results(tmp_path):
    rows = make_rows()
    written, out = export(tmp_path, rows)
    n_checks = sum(len(c["checks"]) for c in RUBRIC["components"].values())
    for r in rows:
        data = json.loads(written[f"gradescope/{r['student_id']}/results.json"].read_text())
        assert data["score"] == r["result"]["score"]
        assert data["score"] == sum(t["score"] for t in data["tests"])
        assert sum(t["max_score"] for t in data["tests"]) == MAX
        assert len(data["tests"]) == n_checks
        assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
        assert isinstance(data["execution_time"], int)
    bob = json.loads((out / "gradescope/bob_2345/results.json").read_text())
    assert bob["execution_time"] == 12
    tests = {t["name"]: t for t in bob["tests"]}
    hidden = tests["softmax: gradient"]
    assert hidden["output"] == "hidden check failed" and hidden["visibility"] == "after_published"
    assert hidden["status"] == "failed" and hidden["score"] == 0
    assert SECRET not in json.dumps(bob)
    stable = tests["softmax: numerically_stable"]
    assert stable["number"] == "1.6" and EXAMPLE in stable["output"]
    assert tests["softmax: rows_sum_to_one"] == {
        "name": "softmax: rows_sum_to_one", "number": "1.2", "score": 2, "max_score": 2,
        "status": "passed", "output": "", "visibility": "visible"}
    # cross_entropy is banned: its passing checks earn nothing and say why
    banned = tests["cross_entropy: matches_reference_float64"]
    assert banned["score"] == 0 and banned["status"] == "failed"
    assert "torch.nn.functional.cross_entropy" in banned["output"]
    assert "scored 0: scored 0" not in json.dumps(bob)
    assert "softmax 8/10" in bob["output"] and "mlp_scratch 0/12 (not implemented)" in bob["output"]
    assert "relu" in bob["output"] and "alice" not in bob["output"]
    carol = json.loads((out / "gradescope/carol_3456/results.json").read_text())
    assert "invalid JSON" in carol["output"] and ".ipynb" in carol["output"]


# ---------------------------------------------------------------- JUnit

def test_junit_counts_and_content(tmp_path):
    written, out = export(tmp_path)
    root = ET.parse(written["junit/bob_2345.xml"]).getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [f"hw1.{c}" for c in COMPONENTS]
    softmax = suites["hw1.softmax"]
    n_softmax = str(len(RUBRIC["components"]["softmax"]["checks"]))
    assert (softmax.get("tests"), softmax.get("failures"), softmax.get("errors")) == \
        (n_softmax, "2", "0")
    assert suites["hw1.relu"].get("errors") == "1" and suites["hw1.relu"].get("failures") == "0"
    n_ce = len(RUBRIC["components"]["cross_entropy"]["checks"])
    # banned: every check fails, except the 0-point gpu_parity that passed (it lost nothing)
    assert suites["hw1.cross_entropy"].get("failures") == str(n_ce - 1)
    assert root.get("failures") == str(sum(int(s.get("failures")) for s in suites.values()))
    case = softmax.find("testcase[@name='gradient']")
    assert case.get("classname") == "hw1.softmax"
    assert case.find("failure").get("message") == "hidden check failed"
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert props["points"] == "0" and props["max_points"] == "1"
    assert SECRET not in written["junit/bob_2345.xml"].read_text()
    stable = softmax.find("testcase[@name='numerically_stable']/failure")
    assert EXAMPLE in stable.text and stable.get("message").startswith("softmax(X) gave inf")
    # control characters were stripped, the message survives
    in_place = suites["hw1.sgd"].find("testcase[@name='updates_in_place']/failure")
    assert "\x00" not in in_place.get("message") and "parameters were replaced" in in_place.get("message")
    assert suites["hw1.softmax"].find("testcase[@name='rows_sum_to_one']/failure") is None

    dave = ET.parse(out / "junit/dave_4567.xml").getroot()
    assert dave.get("errors") == dave.get("tests") and dave.get("failures") == "0"
    carol = ET.parse(out / "junit/carol_3456.xml").getroot()
    assert carol.get("failures") == carol.get("tests") and carol.get("errors") == "0"


# ---------------------------------------------------------------- feedback

def test_feedback_hides_hidden_checks_and_escapes(tmp_path):
    written, out = export(tmp_path)
    md = unescape_md(written["feedback/bob_2345.md"].read_text())
    page = written["feedback/bob_2345.html"].read_text()
    for text in (md, page):
        assert SECRET not in text and "SECRET-EXAMPLE" not in text
        assert "hidden check: 0 / 1" in text
        assert "22 / 47" in text
        assert EXAMPLE in text
        assert "d2l_plot" in text                       # load problem
        assert "epoch 1 loss 0.53" in text              # student output
        assert "torch.nn.functional.cross_entropy" in text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\x1b" not in page and "\x1b" not in md and "\x00" not in page  # terminal codes dropped
    assert page.startswith("<!DOCTYPE html>")
    # the hidden check's description is also withheld
    description = RUBRIC["components"]["softmax"]["checks"]["gradient"]["description"]
    assert description not in page and description not in md
    # not-implemented components are summarised, not listed check by check
    assert "mlp_scratch.init_statistics" not in page and "not implemented" in page


def test_feedback_markdown_cannot_inject_html(tmp_path):
    written, _ = export(tmp_path)
    md = written["feedback/bob_2345.md"].read_text()
    outside_fences = re.sub(r"```+text\n.*?\n```+", "", md, flags=re.S)
    assert "<script>" not in outside_fences
    assert SCRIPT in md                                 # shown verbatim inside a fence


def test_feedback_for_unreadable_and_error(tmp_path):
    written, _ = export(tmp_path)
    carol = written["feedback/carol_3456.html"].read_text()
    assert "invalid JSON at line 3" in carol and ".ipynb" in carol and ".py" in carol
    assert "Resubmit" in carol and "Failed checks" not in carol
    dave = unescape_md(written["feedback/dave_4567.md"].read_text())
    assert "not with your work" in dave


def test_full_marks_feedback(tmp_path):
    written, _ = export(tmp_path)
    alice = written["feedback/alice_1234.md"].read_text()
    assert "47 / 47" in alice and "Every check passed." in alice


def test_feedback_lists_checks_that_did_not_run_apart_from_failures():
    from grader.render import blocks, feedback
    result = full_result()
    for component in COMPONENTS:
        target = check(result, component, "gpu_parity")
        target.update(passed=False, status="skipped",
                      message="no CUDA device on this machine: GPU parity not run")
    row = {"student_id": "alice_1234", "file": "a.ipynb", "status": "graded", "result": result}
    md = blocks.to_markdown(feedback.build("hw1", TITLE, row))
    assert "Every check passed." in md and "### softmax" not in md
    assert (f"Did not run here ({len(COMPONENTS)} check(s): softmax.gpu\\_parity" in md
            and md.count("the grading machine has no GPU (parity checks, 0 points, "
                         "not run)") == 1 and "no CUDA device" not in md)


def test_feedback_lists_statements_left_out_on_purpose_apart_from_problems():
    from grader.render import blocks, feedback
    result = full_result()
    result["load_problems"] = [
        {"where": "hw1.ipynb cell 9", "type": "Skipped", "message": "trainer.fit(model)"},
        {"where": "hw1.ipynb cell 3", "type": "NameError", "message": "name 'np' is not defined"}]
    row = {"student_id": "alice_1234", "file": "a.ipynb", "status": "graded", "result": result}
    md = blocks.to_markdown(feedback.build("hw1", TITLE, row))
    problems, _, on_purpose = md.partition("Not run on purpose")
    assert "Problems while loading your code" in problems and "NameError" in problems
    assert "trainer.fit" not in problems and "trainer.fit" in on_purpose
    result["load_problems"] = result["load_problems"][:1]
    md = blocks.to_markdown(feedback.build("hw1", TITLE, row))
    assert "Problems while loading" not in md and "Not run on purpose" in md


# ---------------------------------------------------------------- report.html

def test_report_has_plots_and_every_student(tmp_path, real_plots):
    written, _ = export(tmp_path)
    report = written["report.html"].read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", report)
    assert len(images) == 3
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for data in images)
    for student in ("alice_1234", "bob_2345", "carol_3456", "dave_4567"):
        assert f'<a href="feedback/{student}.html">' in report
    assert re.search(r"<td>graded</td><td>2</td>", report)
    assert re.search(r"<td>unreadable</td><td>1</td>", report)
    assert "34.5 / 47" in report                        # mean of 47 and 22
    assert "softmax.numerically_stable" in report
    assert "<script>" not in report and "\x1b" not in report  # messages are escaped


def test_one_student(tmp_path):
    written, out = export(tmp_path, [row("alice_1234", full_result())])
    report = written["report.html"].read_text()
    assert report.count("data:image/png;base64,") == 3 and "No failed checks." in report
    assert len(read_csv(written["canvas.csv"])) == 3


def test_zero_rows(tmp_path):
    written, out = export(tmp_path, [])
    assert set(written) == {"grades.csv", "canvas.csv", "report.html"}
    assert read_csv(written["grades.csv"]) == [["student_id", "file", "status", "total",
                                                "max_total", "status_message", "late",
                                                "late_penalty"]]
    assert read_csv(written["canvas.csv"])[1][0] == "Points Possible"
    assert "No graded submissions" in written["report.html"].read_text()


def test_nothing_graded(tmp_path):
    rows = [r for r in make_rows() if r["status"] != "graded"]
    written, _ = export(tmp_path, rows)
    report = written["report.html"].read_text()
    assert "data:image/png;base64," not in report and "n/a" in report
    assert 'href="feedback/carol_3456.html"' in report


def test_unsafe_student_ids_stay_inside(tmp_path):
    evil = row("../../evil id", copy.deepcopy(full_result()))
    written, out = export(tmp_path, [evil])
    assert safe_name("../../evil id") == "_.._evil_id"
    for path in written.values():
        assert path.resolve().is_relative_to(out.resolve())
    assert (out / "feedback/_.._evil_id.html").exists()
    assert list(tmp_path.iterdir()) == [out]


def test_canvas_points_possible_is_not_taken_from_a_row_with_uncounted_checks(tmp_path):
    """A first row whose checks the grader failed on has a smaller maximum; Canvas's
    Points Possible is the class's, not that row's."""
    reduced = full_result()
    reduced["max_score"] = 42
    written, _ = export(tmp_path, [row("aaron_1", reduced), row("frank_1", full_result())])
    assert read_csv(written["canvas.csv"])[1] == ["Points Possible", "", "", "", "", "47"]


# ---------------------------------------------------------------- plots (figures, not pixels)

def bars(axes) -> list[tuple[float, float]]:
    return [(patch.get_width(), patch.get_height()) for patch in axes.patches]


def test_the_totals_histogram_counts_students_per_point(figures):
    assert plots.totals_histogram([3, 3.5, 10], 10) == STAND_IN_PNG
    [axes] = figures[0].axes
    assert [h for _, h in bars(axes)] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    assert axes.get_xlim()[0] <= 0 and axes.patches[-1].get_x() + axes.patches[-1].get_width() == 10
    assert (axes.get_xlabel(), axes.get_ylabel(), axes.get_title()) == (
        "total (max 10)", "students", "Totals of graded submissions")
    assert all(t == int(t) for t in axes.get_yticks())
    assert figures[0].get_size_inches().tolist() == [7, 3.5]
    assert {(p.get_facecolor(), p.get_edgecolor()) for p in axes.patches} == \
        {(to_rgba("#4878a8"), to_rgba("white"))}


@pytest.mark.parametrize("totals, top, count", [([0.5], 0.5, 1), ([], 0, 1), ([12], 8, 12),
                                                 ([1], 60, 25)])
def test_the_histogram_spans_the_larger_of_the_maximum_and_the_best_total(figures, totals,
                                                                          top, count):
    plots.totals_histogram(totals, top)
    [axes] = figures[0].axes
    assert len(axes.patches) == count
    right = axes.patches[-1].get_x() + axes.patches[-1].get_width()
    assert right == pytest.approx(max(top, max(totals, default=0), 1))
    assert axes.get_xlabel() == f"total (max {right:g})"


def test_pass_rate_bars_are_percentages_in_rubric_order_top_down(figures):
    plots.pass_rate_bars([("softmax.shape", 1.0), ("relu.grad", 0.25), ("sgd.step", 0.0)])
    [axes] = figures[0].axes
    assert [w for w, _ in bars(axes)] == [100, 25, 0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["softmax.shape", "relu.grad",
                                                               "sgd.step"]
    assert axes.yaxis_inverted() and axes.get_xlim() == (0, 100)
    assert axes.get_yticklabels()[0].get_fontsize() == 7
    assert (axes.get_xlabel(), axes.get_title()) == ("% of graded students passing",
                                                     "Pass rate per check")
    assert figures[0].get_size_inches().tolist() == pytest.approx([7, 1 + 0.22 * 3])
    assert {p.get_facecolor() for p in axes.patches} == {to_rgba("#59a14f")}
    plots.pass_rate_bars([])
    assert figures[1].get_size_inches().tolist() == pytest.approx([7, 1.22])


def test_component_bars_show_each_mean_in_front_of_its_maximum(figures):
    plots.component_mean_bars([{"name": "softmax", "mean": 2.5, "max": 4},
                               {"name": "relu", "mean": 1, "max": 3}])
    [axes] = figures[0].axes
    assert [h for _, h in bars(axes)] == [4, 3, 2.5, 1]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["softmax", "relu"]
    assert axes.get_xticklabels()[0].get_rotation() == 20
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["max", "mean"]
    assert (axes.get_ylabel(), axes.get_title()) == ("points", "Mean score per component")
    colors = {tuple(p.get_facecolor()) for p in axes.patches[:2]}, \
        {tuple(p.get_facecolor()) for p in axes.patches[2:]}
    assert colors == ({to_rgba("#dddddd")}, {to_rgba("#4878a8")})
    assert {t.get_rotation() for t in axes.get_yticklabels()} == {0}
    assert figures[0].get_size_inches().tolist() == [7, 3.5]


def test_a_plot_is_a_tight_100_dpi_png(real_plots):
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    expected = io.BytesIO()
    figure.savefig(expected, format="png", dpi=100, bbox_inches="tight")
    assert base64.b64decode(plots.to_png_base64(figure)) == expected.getvalue()


# ---------------------------------------------------------------- gradescope summary, unit

def skipped_check(name, kind="api", message="", max_points=0):
    return {"name": name, "kind": kind, "passed": False, "points": 0, "max_points": max_points,
            "message": message, "status": "skipped", "example": "", "hidden": False,
            "description": "", "seconds": 0}


def graded_row(*checks):
    component = {"name": "softmax", "score": 0, "max_score": 0, "status": "full", "message": "",
                 "checks": list(checks)}
    return {"status": "graded", "status_message": "", "seconds": 1,
            "result": {"assignment": "hw1", "score": 0, "max_score": 0,
                       "components": [component], "load_problems": [], "student_output": ""}}


@pytest.mark.parametrize("check, reason", [
    (skipped_check("gpu", kind="parity", message="no CUDA device"), "the grading machine has no GPU"),
    (skipped_check("b", message="needs torch 2.5..."), "needs torch 2.5"),
    (skipped_check("b", message=".needs a GPU"), ".needs a GPU"),
    (skipped_check("b"), "not run")])
def test_gradescope_names_a_check_not_run_here_and_why(check, reason):
    from grader.instructor.exports import gradescope
    text = gradescope.summary(graded_row(check))
    assert text == f"Score 0 / 0. Every check passed. Not run here, 0 points: 1 check(s) " \
                   f"({check['name']}): {reason}."
    assert gradescope.results(graded_row(check))["tests"] == []


def test_a_plot_is_a_100_dpi_png_whatever_the_callers_matplotlib_settings(real_plots):
    import matplotlib
    with matplotlib.rc_context({"savefig.format": "svg", "savefig.dpi": 50, "figure.dpi": 72}):
        figure = Figure(figsize=(2, 1))
        figure.add_subplot().plot([0, 1], [1, 0])
        expected = io.BytesIO()
        figure.savefig(expected, format="png", dpi=100, bbox_inches="tight")
        assert base64.b64decode(plots.to_png_base64(figure)) == expected.getvalue()


# ---------------------------------------------------------------- stats, summary, tables: unit

def mini_row(student_id, status="graded", score=0, max_score=3, components=(), **extra):
    return {"student_id": student_id, "file": f"{student_id}.py", "status": status,
            "status_message": "", "seconds": 1,
            "result": {"score": score, "max_score": max_score, "components": list(components)},
            **extra}


def mini_component(name, status, score, max_score, *checks):
    return {"name": name, "status": status, "score": score, "max_score": max_score,
            "message": "", "checks": [
                {"name": n, "passed": passed, "status": st, "message": message}
                for n, passed, st, message in checks]}


def class_rows():
    """Three graded students (one banned, one not implemented), one unreadable, one error."""
    def a(score, *checks, status="partial"):
        return mini_component("a", status, score, 2, *checks)

    def b(score, status="full"):
        return mini_component("b", status, score, 1, ("y", score > 0, "passed" if score else
                                                       "not_implemented", "not yet"))
    return [
        mini_row("s1", score=3, components=[a(2, ("x", True, "passed", ""),
                                              ("gpu", False, "skipped", "no CUDA"),
                                              status="full"), b(1)]),
        mini_row("s2", score=0.5, components=[a(0.5, ("x", False, "failed", "off by 1"),
                                                ("gpu", False, "skipped", "no CUDA")),
                                              b(0, status="not_implemented")]),
        mini_row("s3", score=0, components=[a(0, ("x", False, "failed", "off by 2"),
                                              ("gpu", True, "passed", ""), status="banned"),
                                            b(0, status="zero")]),
        mini_row("s4", "unreadable", 0, 3),
        mini_row("s5", "error", 0, 3),
        mini_row("s6", "mystery", 0, 3)]


def test_status_counts_list_every_row_status_in_a_fixed_order_then_the_unexpected():
    from grader.instructor.exports import stats
    from grader.status import ROW_STATUSES
    assert list(stats.status_counts([]).items()) == [
        ("graded", 0), ("unreadable", 0), ("unsupported", 0), ("error", 0)]
    assert set(stats.ROW_ORDER) == ROW_STATUSES
    assert list(stats.status_counts(class_rows()).items()) == [
        ("graded", 3), ("unreadable", 1), ("unsupported", 0), ("error", 1), ("mystery", 1)]


def test_stats_count_graded_rows_only():
    from grader.instructor.exports import stats
    rows = class_rows()
    assert [r["student_id"] for r in stats.graded(rows)] == ["s1", "s2", "s3"]
    assert stats.totals(rows) == [3.0, 0.5, 0.0]
    assert stats.center(stats.totals(rows)) == (1.1667, 0.5)
    assert stats.center([2.0, 4.0]) == (3, 3) and stats.center([]) == (None, None)
    assert stats.max_total(rows) == 3.0 and stats.max_total([]) == 0.0
    rows[4]["result"]["max_score"] = "7"
    assert stats.max_total(rows) == 7.0


def test_pass_rates_leave_out_checks_that_did_not_run():
    from grader.instructor.exports import stats
    assert stats.pass_rates(class_rows()) == [("a.x", 1 / 3), ("b.y", 1 / 3), ("a.gpu", 1.0)]
    assert stats.pass_rates([]) == []


def test_component_means_count_full_banned_and_missing():
    from grader.instructor.exports import stats
    assert stats.component_means(class_rows()) == [
        {"name": "a", "mean": 0.8333, "max": 2, "full": 1, "banned": 1, "not_implemented": 0},
        {"name": "b", "mean": 0.3333, "max": 1, "full": 1, "banned": 0, "not_implemented": 1}]


def test_common_failures_rank_checks_by_students_and_keep_the_usual_message(monkeypatch):
    from grader import config
    from grader.instructor.exports import stats
    rows = class_rows()
    rows.append(mini_row("s7", components=[mini_component(
        "a", "partial", 0, 2, ("x", False, "failed", "off by 2"), ("z", False, "timeout", ""))]))
    assert stats.common_failures(rows) == [
        {"check": "a.x", "students": 3, "message": "off by 2"},
        {"check": "a.z", "students": 1, "message": "timeout"}]
    assert stats.common_failures(rows, limit=1) == [
        {"check": "a.x", "students": 3, "message": "off by 2"}]
    monkeypatch.setattr(config, "SUMMARY_MESSAGE_CHARS", 4)
    rows[-1]["result"]["components"][0]["checks"][0]["message"] = "off by 1 again"
    assert stats.common_failures(rows)[0]["message"] == "off "
    assert stats.common_failures(rows[3:6]) == []
    rows.append(mini_row("s8", components=[mini_component(
        "a", "partial", 0, 2, ("z", False, "failed", "slow"))]))
    rows.append(mini_row("s9", components=[mini_component(
        "a", "partial", 0, 2, ("z", False, "failed", "slow"))]))
    rows[1]["result"]["components"][0]["checks"][0]["passed"] = True     # a.x: 2 students
    assert [(f["check"], f["students"]) for f in stats.common_failures(rows)] == \
        [("a.z", 3), ("a.x", 2)]                                          # most failed first


def test_the_summary_page_in_parts():
    from grader.instructor.exports import summary
    rows = class_rows()
    rows[0]["student_id"] = "s1 <b>"
    page = summary.page("hw1", "Basics & more", rows)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<title>hw1: Basics &amp; more report</title><style>")
    assert "img{max-width:100%}</style></head>\n<body>\n<h1>hw1: Basics &amp; more</h1>\n" in page
    assert page.endswith("</table>\n</body></html>\n")
    assert ("<h2>Overview</h2>\n<table>\n<tr><th></th><th>value</th></tr>\n"
            "<tr><td>graded</td><td>3</td></tr>\n<tr><td>unreadable</td><td>1</td></tr>\n"
            "<tr><td>unsupported</td><td>0</td></tr>\n<tr><td>error</td><td>1</td></tr>\n"
            "<tr><td>mystery</td><td>1</td></tr>\n<tr><td>students</td><td>6</td></tr>\n"
            "<tr><td>mean total (graded)</td><td>1.1667 / 3</td></tr>\n"
            "<tr><td>median total (graded)</td><td>0.5 / 3</td></tr>\n</table>") in page
    assert page.count('<p><img alt="') == 3
    assert "</table>\n<h2>Plots</h2>\n<p><img alt=\"histogram of totals\"" in page
    assert ('<p><img alt="histogram of totals" src="data:image/png;base64,' + STAND_IN_PNG
            + '"></p>\n<p><img alt="pass rate per check" src="data:image/png;base64,') in page
    assert '<p><img alt="mean score per component" src="data:image/png;base64,' in page
    assert ("<h2>Components</h2>\n<table>\n<tr><th>component</th><th>mean</th>"
            "<th>full marks</th><th>banned</th><th>not implemented</th></tr>\n"
            "<tr><td>a</td><td>0.8333 / 2</td><td>1</td><td>1</td><td>0</td></tr>\n") in page
    assert ("<h2>Most common failures</h2>\n<p>Graded submissions only; checks of "
            "not-implemented components are left out.</p>\n<table>\n<tr><th>check</th>"
            "<th>students</th><th>typical message</th></tr>\n"
            "<tr><td>a.x</td><td>2</td><td>off by 1</td></tr>\n</table>") in page
    assert ("<h2>Students</h2>\n<table>\n<tr><th>student</th><th>total</th><th>status</th>"
            "<th>status message</th><th>feedback</th></tr>\n"
            "<tr><td>s1 &lt;b&gt;</td><td>3 / 3</td><td>graded</td><td></td>"
            '<td><a href="feedback/s1__b_.html">feedback</a></td></tr>\n') in page


def test_the_summary_escapes_student_text_and_quotes_links(figures):
    from grader.instructor.exports import summary
    rows = class_rows()[:1]
    rows[0].update(student_id="x%y\x1b[31m", status_message="<i>\x00")
    rows[0]["result"]["components"][0]["checks"][0].update(passed=False, message="<b>\x07")
    page = summary.page("hw1", "T", rows)
    assert "<td>x%y</td>" in page and "<td>&lt;i&gt;</td>" in page
    assert "<td>&lt;b&gt;</td>" in page and "\x07" not in page and "\x1b" not in page
    assert '<a href="feedback/x_y__31m.html">' in page
    assert len(figures) == 3


def test_the_summary_without_graded_rows_or_failures(tmp_path):
    from grader.instructor.exports import summary
    page = summary.page("hw1", "T", class_rows()[3:5])
    assert ("</table>\n<h2>Plots</h2>\n<p>No graded submissions, so nothing to plot.</p>\n"
            "<h2>Components</h2>") in page
    assert "<tr><td>mean total (graded)</td><td>n/a</td></tr>" in page
    assert ("</table>\n<h2>Most common failures</h2>\n<p>No failed checks.</p>\n"
            "<h2>Students</h2>") in page
    rows = class_rows()[3:5]
    del rows[0]["status_message"]
    assert "<td>unreadable</td><td></td><td><a href" in summary.page("hw1", "T", rows)
    path = summary.write(tmp_path / "r.html", "hw1", "T", class_rows()[3:5])
    assert path == tmp_path / "r.html" and path.read_text(encoding="utf-8") == page


def test_grades_table_unit(tmp_path):
    from grader.instructor.exports import tables
    rows = class_rows()[:2] + [mini_row("s9", "unreadable", 0, 3)]
    rows[1]["result"]["components"].append(mini_component("c", "full", 1.0, 1))
    rows[1].update(late=True, status_message="late by 1 day")
    rows[1]["result"]["late_penalty"] = "-10%"
    assert tables.component_names(rows) == ["a", "b", "c"]
    path = tables.write_grades(tmp_path / "g.csv", rows)
    assert path == tmp_path / "g.csv"
    assert path.read_bytes().decode("utf-8") == (
        "student_id,file,status,total,max_total,a,b,c,status_message,late,late_penalty\r\n"
        "s1,s1.py,graded,3,3,2,1,,,,\r\n"
        "s2,s2.py,graded,0.5,3,0.5,0,1,late by 1 day,yes,-10%\r\n"
        "s9,s9.py,unreadable,0,3,,,,,,\r\n")
    assert tables._line(mini_row("s8", "error") | {"result": {"score": 0, "max_score": 3}},
                        ["a"]) == ["s8", "s8.py", "error", 0, 3, "", "", "", ""]
    assert tables.component_names([mini_row("s8") | {"result": {}}] + rows) == ["a", "b", "c"]
    del rows[0]["file"], rows[0]["status_message"]
    assert tables._line(rows[0], ["a"]) == ["s1", "", "graded", 3, 3, 2, "", "", ""]


def test_write_all_lists_every_file_it_wrote(tmp_path):
    rows = [mini_row("s1", components=[mini_component("a", "full", 1, 1, ("x", True, "passed", ""))]),
            mini_row("../s 2", "unreadable")]
    for r in rows:
        for c in r["result"]["components"]:
            for k in c["checks"]:
                k.update(kind="api", points=1, max_points=1, hidden=False, example="")
    written = write_all(tmp_path / "new" / "out", "hw1", "T", rows)
    assert sorted(written) == sorted([
        "grades.csv", "canvas.csv", "report.html", "feedback/s1.md", "feedback/s1.html",
        "feedback/_s_2.md", "feedback/_s_2.html", "gradescope/s1/results.json",
        "gradescope/_s_2/results.json", "junit/s1.xml", "junit/_s_2.xml"])
    assert all(path == tmp_path / "new" / "out" / name and path.is_file()
               for name, path in written.items())
    assert write_all(tmp_path / "new" / "out", "hw1", "T", rows[:1])["grades.csv"].exists()
    assert written["feedback/s1.md"].read_text().startswith("# hw1 feedback: s1\n\nT (hw1), ")
    assert "<h1>hw1: T</h1>" in written["report.html"].read_text()


# ---------------------------------------------------------------- gradescope: unit

def gs_check(name, passed, points, max_points, status, message="", example="", hidden=False,
             kind="api"):
    return {"name": name, "kind": kind, "passed": passed, "points": points,
            "max_points": max_points, "status": status, "message": message, "example": example,
            "hidden": hidden, "description": "what it checks"}


def gs_row(**extra):
    components = [
        {"name": "a", "status": "partial", "score": 1.5, "max_score": 4, "message": "", "checks": [
            gs_check("x", True, 1.5, 1.5, "passed"),
            gs_check("y", False, 0, 1.5, "failed", "off by 1", "X=1"),
            gs_check("h", False, 0, 1, "failed", "secret", "X=s", hidden=True),
            gs_check("gpu", False, 0, 0, "skipped", "no CUDA", kind="parity")]},
        {"name": "b", "status": "banned", "score": 0, "max_score": 2,
         "message": "scored 0: calls F.relu", "checks": [
             gs_check("s", False, 0, 1, "failed", "calls F.relu", kind="scratch"),
             gs_check("v", True, 1, 1, "passed")]},
        {"name": "c", "status": "not_implemented", "score": 0, "max_score": 1,
         "message": "not implemented", "checks": [
             gs_check("f", False, 0, 1, "not_implemented", "raises")]},
        {"name": "d", "status": "full", "score": 1, "max_score": 1, "message": "",
         "checks": [gs_check("z", True, 1, 1, "passed")]}]
    return {"student_id": "k", "status": "graded", "status_message": "superseded",
            "seconds": 2.6, "result": {"score": 2.5, "max_score": 8, "components": components},
            **extra}


def gs_test(name, number, score, max_score, status, output="", visibility="visible"):
    return {"name": name, "number": number, "score": score, "max_score": max_score,
            "status": status, "output": output, "visibility": visibility}


def test_gradescope_results_in_full():
    from grader.instructor.exports import gradescope
    assert gradescope.results(gs_row()) == {
        "score": 2.5, "execution_time": 3,
        "output": "Score 2.5 / 8. Points lost in: a 1.5/4; b 0/2 (scored 0: its from-scratch "
                  "check failed); c 0/1 (not implemented). Each check is listed below. Not run "
                  "here, 0 points: 1 check(s) (gpu): the grading machine has no GPU. "
                  "Note: superseded.",
        "visibility": "visible", "stdout_visibility": "hidden",
        "tests": [gs_test("a: x", "1.1", 1.5, 1.5, "passed"),
                  gs_test("a: y", "1.2", 0, 1.5, "failed", "off by 1\nSmallest failing input: X=1"),
                  gs_test("a: h", "1.3", 0, 1, "failed", "hidden check failed", "after_published"),
                  gs_test("b: s", "2.1", 0, 1, "failed", "calls F.relu"),
                  gs_test("b: v", "2.2", 0, 1, "failed",
                          "This check passed, but b scored 0: calls F.relu"),
                  gs_test("c: f", "3.1", 0, 1, "failed", "raises"),
                  gs_test("d: z", "4.1", 1, 1, "passed")]}


def test_gradescope_summary_variants():
    from grader.instructor.exports import gradescope
    row = gs_row(status_message="", seconds=None)
    for component in row["result"]["components"]:
        component["status"] = "full"
    skipped = row["result"]["components"][0]["checks"]
    skipped += [gs_check("b2", False, 0, 0, "skipped", "needs torch 2.5."),
                gs_check("a2", False, 0, 0, "skipped", "needs torch 2.5.", hidden=True)]
    skipped[3]["kind"] = "api"
    assert gradescope.summary(row) == ("Score 2.5 / 8. Every check passed. Not run here, 0 "
                                       "points: 3 check(s) (a2, b2, gpu): no CUDA.")
    assert gradescope.results(row)["execution_time"] == 0
    skipped[3]["message"] = ""
    assert gradescope.summary(row).endswith(": not run.")
    skipped[3]["message"] = "...needs torch 2.5..."
    assert gradescope.summary(row).endswith(": ...needs torch 2.5.")
    skipped[3]["message"] = "needs X"
    assert gradescope.summary(row).endswith(": needs X.")


def test_gradescope_shows_nothing_for_a_check_that_passed():
    from grader.instructor.exports import gradescope
    row = gs_row()
    row["result"]["components"][3]["checks"][0]["message"] = "passed, slowly"
    assert gradescope.results(row)["tests"][-1]["output"] == ""


def test_gradescope_skipped_checks_that_carry_points_are_tests():
    from grader.instructor.exports import gradescope
    row = gs_row()
    row["result"]["components"][0]["checks"][3]["max_points"] = 1
    tests = gradescope.results(row)["tests"]
    assert [t["name"] for t in tests][:4] == ["a: x", "a: y", "a: h", "a: gpu"]
    assert tests[3] == gs_test("a: gpu", "1.4", 0, 1, "failed", "no CUDA")
    assert "Not run here" not in gradescope.summary(row)


def test_gradescope_for_a_row_that_was_not_graded():
    from grader.instructor.exports import gradescope
    row = gs_row(status="unsupported", status_message="a .docx")
    assert gradescope.summary(row) == \
        "Your submission could not be graded: a .docx. No checks were run."


def test_gradescope_write_is_indented_json_with_a_final_newline(tmp_path):
    from grader.instructor.exports import gradescope
    path = gradescope.write(tmp_path / "gs" / "k", gs_row())
    assert path == tmp_path / "gs" / "k" / "results.json"
    assert path.read_text(encoding="utf-8") == \
        json.dumps(gradescope.results(gs_row()), indent=2) + "\n"
    gradescope.write(tmp_path / "gs" / "k", gs_row())               # the folder exists
    encodings = []

    class Spy(type(tmp_path)):
        def write_text(self, data, encoding=None, errors=None, newline=None):
            encodings.append(encoding)
            return super().write_text(data, encoding=encoding, errors=errors, newline=newline)
    gradescope.write(Spy(tmp_path / "gs" / "k"), gs_row())
    assert [e.lower().replace("_", "-") if e else e for e in encodings] == ["utf-8"]


def test_the_summary_plots_the_graded_rows_totals_pass_rates_and_means(figures):
    from grader.instructor.exports import summary
    summary.page("hw1", "T", class_rows())
    histogram, rates, means = (figure.axes[0] for figure in figures)
    assert [h for _, h in bars(histogram)] == [2, 0, 1]          # totals 0, 0.5 | - | 3 of 3
    assert [w for w, _ in bars(rates)] == pytest.approx([100 / 3, 100 / 3, 100])
    assert [t.get_text() for t in rates.get_yticklabels()] == ["a.x", "b.y", "a.gpu"]
    assert [h for _, h in bars(means)] == [2, 1, 0.8333, 0.3333]


def test_grades_csv_and_report_html_are_written_as_utf8_csv_and_text(tmp_path, monkeypatch):
    """Student names are not ASCII, and the default encoding is the locale's; csv
    needs ``newline=""`` or a line break inside a quoted cell changes on Windows."""
    from grader.instructor.exports import summary, tables
    opened = []

    def spy(file, mode="r", **options):
        opened.append((mode, options))
        return open(file, mode, **options)
    monkeypatch.setattr(tables, "open", spy, raising=False)
    tables.write_grades(tmp_path / "g.csv", class_rows())
    assert opened == [("w", {"newline": "", "encoding": "utf-8"})]
    encodings = []

    class Spy(type(tmp_path)):
        def write_text(self, data, encoding=None, errors=None, newline=None):
            encodings.append(encoding)
            return super().write_text(data, encoding=encoding, errors=errors, newline=newline)
    summary.write(Spy(tmp_path / "r.html"), "hw1", "T", class_rows()[3:])
    assert [e.lower().replace("_", "-") if e else e for e in encodings] == ["utf-8"]
