"""The batch part of ``make bench`` (see :mod:`grader.instructor.bench`)."""
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from rich.table import Table

from grader import config
from grader.instructor import bench_dask

EXAMPLES = config.REPO_ROOT / "tests" / "fixtures" / "submissions" / "hw1"
NOTEBOOKS = 100
BASELINE_NOTEBOOKS = 6
TARGET_S = 30.0
NBGRADER_S_PER_NOTEBOOK = 3.1   # anchor measured on this kind of machine (issue 3)


def make_copies(folder: Path, count: int) -> list[Path]:
    """``count`` distinct notebooks cycling through the gradable examples."""
    sources = sorted(p for p in EXAMPLES.glob("*.ipynb") if _gradable(p))
    folder.mkdir(parents=True)
    made = []
    for index in range(count):
        source = sources[index % len(sources)]
        target = folder / f"student{index:03d}_{index}_{index}_hw1.ipynb"
        data = source.read_bytes() + f"\n{' ' * (index % 7)}".encode()  # distinct content
        target.write_bytes(data)
        made.append(target)
    return made


def _gradable(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text("utf-8", "replace")).get("cells"))
    except (json.JSONDecodeError, AttributeError):
        return False


def run_batch(folder: Path, out: Path) -> tuple[float, float, list]:
    """Wall seconds, peak child RSS (MiB) and result rows of one batch run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--assignment",
                           "hw1", "--out", str(out), "--no-progress"], cwd=config.REPO_ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch failed:\n{proc.stdout}{proc.stderr}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    from grader.instructor.gradebook import Gradebook
    book = Gradebook(out / "gradebook.sqlite")
    rows = book.rows("hw1")
    book.close()
    return wall, peak, rows


def nbclient_seconds(notebooks: list[Path]) -> float:
    """Median seconds to execute one notebook top to bottom in a Jupyter kernel.

    Shell escapes are dropped first (``!pip install`` would reach the network);
    errors are allowed, as nbgrader does, and each cell gets 30 s.
    """
    times = []
    for path in notebooks:
        notebook = nbformat.reads(path.read_text("utf-8", "replace"), as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.source = "\n".join(l for l in cell.source.splitlines()
                                         if not l.lstrip().startswith("!"))
        start = time.perf_counter()
        NotebookClient(notebook, timeout=30, allow_errors=True, kernel_name="python3").execute()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(console) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_copies(tmp / "small", 25)
        notebooks = make_copies(tmp / "full", NOTEBOOKS)
        wall_small, peak_small, _ = run_batch(tmp / "small", tmp / "out-small")
        wall, peak, rows = run_batch(tmp / "full", tmp / "out-full")
        runnable = [p for p in notebooks if b"while True" not in p.read_bytes()]
        baseline = nbclient_seconds(runnable[:BASELINE_NOTEBOOKS])
        dask_runs = bench_dask.measure(tmp / "small", tmp)
    starts = [r["result"].get("timings", {}).get("worker_start") for r in rows]
    starts = [s for s in starts if s is not None]
    boxes = [r["result"].get("timings", {}).get("sandbox") for r in rows]
    boxes = [s for s in boxes if s is not None]
    per_notebook = wall / NOTEBOOKS
    table = Table(title=f"batch: {NOTEBOOKS} hw1 notebooks, all cores, full rubric")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("wall seconds", f"{wall:.1f} (target <= {TARGET_S:g})")
    table.add_row("notebooks / second", f"{NOTEBOOKS / wall:.2f}")
    table.add_row("isolation overhead per submission (fork + load, median)",
                  f"{statistics.median(starts) * 1000:.0f} ms" if starts else "n/a")
    table.add_row("sandbox steps inside the worker (cgroups, root, namespaces, layers; "
                  "median, target <= 50 ms)",
                  f"{statistics.median(boxes) * 1000:.1f} ms" if boxes else "n/a")
    table.add_row("peak scorer memory, 25 vs 100 submissions",
                  f"{peak_small:.0f} MiB vs {peak:.0f} MiB")
    table.add_row("nbclient: execute one notebook (median, serial)", f"{baseline:.2f} s")
    table.add_row("throughput vs nbclient execution", f"{baseline / per_notebook:.1f} x")
    table.add_row("throughput vs nbgrader anchor (3.1 s/notebook)",
                  f"{NBGRADER_S_PER_NOTEBOOK / per_notebook:.1f} x")
    console.print(table)
    bench_dask.report(console, dask_runs, 25, wall_small)

