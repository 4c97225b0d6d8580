"""Numbers for the instructor summary, computed from graded rows only.

Unreadable and errored submissions never ran a check, so counting them would
make every check look harder than it is; they appear in the status counts
and the student table instead.
"""
import statistics
from collections import Counter

from grader import config
from grader.status import Status

from grader.render.common import iter_checks, label, num

# report.html's overview order; a fixed tuple, since iterating the frozenset
# status.ROW_STATUSES gives another order in every process (string hashing).
ROW_ORDER = (Status.GRADED, Status.UNREADABLE, Status.UNSUPPORTED, Status.ERROR)


def graded(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["status"] == Status.GRADED]


def status_counts(rows: list[dict]) -> dict[str, int]:
    """Every known status (also those with 0 rows), then any unexpected ones."""
    counts = Counter(row["status"] for row in rows)
    return {**{s: counts.get(s, 0) for s in ROW_ORDER}, **counts}


def totals(rows: list[dict]) -> list[float]:
    return [float(row["result"]["score"]) for row in graded(rows)]


def center(values: list[float]) -> tuple:
    """(mean, median), or (None, None) without values."""
    if not values:
        return None, None
    return num(statistics.fmean(values)), num(statistics.median(values))


def max_total(rows: list[dict]) -> float:
    return max((float(row["result"]["max_score"]) for row in rows), default=0.0)


def pass_rates(rows: list[dict]) -> list[tuple[str, float]]:
    """(component.check, fraction of graded students whose check passed), rubric order.

    Checks that did not run (GPU parity on a machine without CUDA) are left out.
    """
    passed, seen = Counter(), Counter()
    for row in graded(rows):
        for _, component, _, check in iter_checks(row["result"]):
            if check["status"] == Status.SKIPPED:
                continue
            seen[label(component, check)] += 1
            passed[label(component, check)] += bool(check["passed"])
    return [(name, passed[name] / seen[name]) for name in seen]


def component_means(rows: list[dict]) -> list[dict]:
    """Per component: mean score, max, and how many students had it full/banned/missing."""
    by_name: dict[str, list] = {}
    for row in graded(rows):
        for component in row["result"]["components"]:
            by_name.setdefault(component["name"], []).append(component)
    return [{"name": name, "mean": num(statistics.fmean(float(c["score"]) for c in comps)),
             "max": num(comps[0]["max_score"]),
             **{s: sum(c["status"] == s for c in comps) for s in (Status.FULL, Status.BANNED,
                                                                  Status.NOT_IMPLEMENTED)}}
            for name, comps in by_name.items()]


def common_failures(rows: list[dict], limit: int = config.SUMMARY_FAILURES) -> list[dict]:
    """The checks most students failed, with the message most of them got.

    Checks of not-implemented components are left out: they would crowd the
    table with "not implemented" and say nothing about the checks.
    """
    messages: dict[str, Counter] = {}
    for row in graded(rows):
        for _, component, _, check in iter_checks(row["result"]):
            if check["passed"] or check["status"] in (Status.NOT_IMPLEMENTED, Status.SKIPPED):
                continue
            text = (check.get("message") or check["status"])[:config.SUMMARY_MESSAGE_CHARS]
            messages.setdefault(label(component, check), Counter())[text] += 1
    ranked = sorted(messages.items(), key=lambda item: -sum(item[1].values()))
    return [{"check": name, "students": sum(counter.values()),
             "message": counter.most_common(1)[0][0]} for name, counter in ranked[:limit]]
