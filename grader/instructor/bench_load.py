"""``make bench-load``: a course-sized batch, start to finish, in one run.

Grades 1,000 hw1 notebooks (distinct copies of the bundled examples) with
``grader batch`` on all cores and reports: wall time, notebooks per second
over the first and the last 100 results (a slowdown would show as a lower
second figure), peak memory of every grading process together (the batch,
the scorer host, the scorers, the workers' fork server and the workers;
PSS, which counts pages shared by forked processes once, and RSS), and the
number of gradebook rows, which must equal the number of notebooks.

It exists because a batch once stopped for good after jobs x 200
submissions, and nothing in the suite graded that many.

    python -m grader.instructor.bench_load [--count N] [--jobs N]
"""
import argparse
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader import config
from grader.instructor.bench_batch import make_copies

NOTEBOOKS = 1000
WINDOW = 100          # results per throughput window (first and last)
SAMPLE_EVERY_S = 0.5  # memory sampling period


class MemorySampler:
    """Peak summed PSS and RSS (MiB) of a process and all its descendants."""

    def __init__(self, root: int):
        self.root, self.peak_pss, self.peak_rss, self.peak_processes = root, 0.0, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            family = [self.root, *_descendants(self.root)]
            pss = rss = 0.0
            for pid in family:
                fields = _memory(pid)
                pss += fields.get("Pss", 0) / 1024
                rss += fields.get("Rss", 0) / 1024
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_processes = max(self.peak_processes, len(family))


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            stack += children
    return found


def _memory(pid: int) -> dict:
    """kB figures of /proc/PID/smaps_rollup (empty for a process that has gone)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return {}
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[name] = int(value.split()[0])
    return fields


def run(count: int, jobs: int, console: Console) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "subs", Path(tmp) / "out"
        make_copies(folder, count)
        command = [sys.executable, "-m", "grader", "batch", str(folder), "--assignment", "hw1",
                   "--out", str(out), "--no-progress"] + (["--jobs", str(jobs)] if jobs else [])
        started_wall = time.time()
        started = time.perf_counter()
        batch = subprocess.Popen(command, cwd=config.REPO_ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        with MemorySampler(batch.pid) as memory:
            output, _ = batch.communicate()
        wall = time.perf_counter() - started
        with sqlite3.connect(out / "gradebook.sqlite") as db:
            stamps = sorted(t for (t,) in db.execute("SELECT graded_at FROM results"))
            statuses = dict(db.execute("SELECT status, COUNT(*) FROM results GROUP BY status"))
    if batch.returncode not in (0, 3):
        raise SystemExit(f"the batch failed (exit {batch.returncode}):\n{output}")
    return {"count": count, "wall": wall, "rows": len(stamps), "statuses": statuses,
            "first": _rate(started_wall, stamps[:WINDOW]),
            "last": _rate(stamps[-WINDOW - 1] if len(stamps) > WINDOW else started_wall,
                          stamps[-WINDOW:]),
            "pss": memory.peak_pss, "rss": memory.peak_rss,
            "processes": memory.peak_processes}


def _rate(since: float, stamps: list) -> float:
    """Results per second from ``since`` to the last of ``stamps``."""
    return len(stamps) / max(1e-9, stamps[-1] - since) if stamps else 0.0


def report(figures: dict, console: Console) -> None:
    table = Table(title=f"load: {figures['count']} hw1 notebooks, one grader batch")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("wall seconds", f"{figures['wall']:.1f}")
    table.add_row("notebooks / second overall", f"{figures['count'] / figures['wall']:.2f}")
    table.add_row(f"notebooks / second, first {WINDOW} (incl. start-up)", f"{figures['first']:.2f}")
    table.add_row(f"notebooks / second, last {WINDOW}", f"{figures['last']:.2f}")
    table.add_row("last / first", f"{figures['last'] / max(1e-9, figures['first']):.2f}")
    table.add_row("peak memory of all grading processes (PSS / RSS)",
                  f"{figures['pss']:.0f} MiB / {figures['rss']:.0f} MiB")
    table.add_row("most grading processes at once", str(figures["processes"]))
    table.add_row("gradebook rows", f"{figures['rows']} of {figures['count']} "
                                    f"({', '.join(f'{n} {s}' for s, n in figures['statuses'].items())})")
    console.print(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.instructor.bench_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=NOTEBOOKS)
    parser.add_argument("--jobs", type=int, default=0, help="scorers (default: one per core)")
    args = parser.parse_args(argv)
    console = Console()
    figures = run(args.count, args.jobs, console)
    report(figures, console)
    return 0 if figures["rows"] == figures["count"] else 1


if __name__ == "__main__":
    sys.exit(main())
