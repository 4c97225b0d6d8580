"""The summary's three plots as base64 PNG, so ``report.html`` opens offline as one file.

Figures are built with the object-oriented API on the Agg canvas, never
through pyplot: no GUI backend or display is needed, the process-wide
backend choice of whoever imports the grader is left alone, and nothing
stays in pyplot's figure registry after a large batch.
"""
import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def to_png_base64(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def totals_histogram(totals: list[float], max_total: float) -> str:
    figure = Figure(figsize=(7, 3.5))
    axes = figure.add_subplot()
    top = max(max_total, max(totals, default=0), 1)
    axes.hist(totals, bins=min(25, max(1, int(top))), range=(0, top), color="#4878a8",
              edgecolor="white")
    axes.set(xlabel=f"total (max {top:g})", ylabel="students", title="Totals of graded submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return to_png_base64(figure)


def pass_rate_bars(rates: list[tuple[str, float]]) -> str:
    """Horizontal bars, one per check, rubric order from top to bottom."""
    figure = Figure(figsize=(7, 1 + 0.22 * max(len(rates), 1)))
    axes = figure.add_subplot()
    names = [name for name, _ in rates]
    values = [100 * rate for _, rate in rates]
    axes.barh(range(len(rates)), values, color="#59a14f")
    axes.set_yticks(range(len(rates)), names, fontsize=7)
    axes.invert_yaxis()
    axes.set(xlim=(0, 100), xlabel="% of graded students passing", title="Pass rate per check")
    return to_png_base64(figure)


def component_mean_bars(components: list[dict]) -> str:
    """Mean score per component in front of a pale bar for its maximum."""
    figure = Figure(figsize=(7, 3.5))
    axes = figure.add_subplot()
    names = [c["name"] for c in components]
    axes.bar(names, [c["max"] for c in components], color="#dddddd", label="max")
    axes.bar(names, [c["mean"] for c in components], color="#4878a8", label="mean")
    axes.set(ylabel="points", title="Mean score per component")
    axes.legend()
    axes.tick_params(axis="x", labelrotation=20)
    return to_png_base64(figure)
