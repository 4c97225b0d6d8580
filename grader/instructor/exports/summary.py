"""``report.html``: the instructor's one-page overview of a batch.

Self-contained (inline CSS, plots as ``data:`` PNGs) so it can be mailed or
opened offline; links point at the feedback pages next to it.  Built for any
batch size, including one where nothing could be graded.
"""
import html
from pathlib import Path
from urllib.parse import quote

from . import plots, stats
from grader.render.blocks import CSS, html_table, printable
from grader.render.common import num, safe_name


def write(path: Path, assignment: str, title: str, rows: list[dict]) -> Path:
    path.write_text(page(assignment, title, rows), encoding="utf-8")
    return path


def page(assignment: str, title: str, rows: list[dict]) -> str:
    heading = f"{assignment}: {title}"
    sections = [f"<h1>{html.escape(heading)}</h1>", _overview(rows), _plots(rows),
                _components(rows), _failures(rows), _students(rows)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(heading)} report</title><style>{CSS}"
            "img{max-width:100%}</style></head>\n<body>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def _overview(rows: list[dict]) -> str:
    counts = stats.status_counts(rows)
    mean, median = stats.center(stats.totals(rows))
    maximum = num(stats.max_total(rows))
    cells = [[_esc(s), str(n)] for s, n in counts.items()]
    cells += [["students", str(len(rows))], ["mean total (graded)", _or_na(mean, maximum)],
              ["median total (graded)", _or_na(median, maximum)]]
    return "<h2>Overview</h2>\n" + html_table(["", "value"], cells)


def _esc(text) -> str:
    """Escaped and without control characters: messages and ids come from student code."""
    return html.escape(printable(text))


def _or_na(value, maximum) -> str:
    return "n/a" if value is None else f"{value} / {maximum}"


def _plots(rows: list[dict]) -> str:
    if not stats.graded(rows):
        return "<h2>Plots</h2>\n<p>No graded submissions, so nothing to plot.</p>"
    images = [plots.totals_histogram(stats.totals(rows), stats.max_total(rows)),
              plots.pass_rate_bars(stats.pass_rates(rows)),
              plots.component_mean_bars(stats.component_means(rows))]
    alts = ["histogram of totals", "pass rate per check", "mean score per component"]
    return "<h2>Plots</h2>\n" + "\n".join(
        f'<p><img alt="{alt}" src="data:image/png;base64,{data}"></p>'
        for alt, data in zip(alts, images))


def _components(rows: list[dict]) -> str:
    cells = [[_esc(c["name"]), f"{c['mean']} / {c['max']}", str(c["full"]),
              str(c["banned"]), str(c["not_implemented"])] for c in stats.component_means(rows)]
    return "<h2>Components</h2>\n" + html_table(
        ["component", "mean", "full marks", "banned", "not implemented"], cells)


def _failures(rows: list[dict]) -> str:
    failures = stats.common_failures(rows)
    if not failures:
        return "<h2>Most common failures</h2>\n<p>No failed checks.</p>"
    cells = [[_esc(f["check"]), str(f["students"]), _esc(f["message"])]
             for f in failures]
    return ("<h2>Most common failures</h2>\n<p>Graded submissions only; checks of "
            "not-implemented components are left out.</p>\n"
            + html_table(["check", "students", "typical message"], cells))


def _students(rows: list[dict]) -> str:
    cells = [[_esc(row["student_id"]),
              f"{num(row['result']['score'])} / {num(row['result']['max_score'])}",
              _esc(row["status"]), _esc(row.get("status_message", "")),
              f'<a href="feedback/{quote(safe_name(row["student_id"]))}.html">feedback</a>']
             for row in rows]
    return "<h2>Students</h2>\n" + html_table(
        ["student", "total", "status", "status message", "feedback"], cells)
