"""The Dask part of ``make bench`` (see :mod:`grader.instructor.bench_batch`).

Grades the same notebooks as the local pool's small run on a LocalCluster of
1 and 2 workers (the code of ``grader batch --scheduler local:N``), measuring
separately the cluster's start-up, each worker's first submission (imports,
fork server) and the steady cost of one submission on one worker, then
estimates what 10,000 submissions cost on N workers from those figures.
"""
import time
from pathlib import Path

from rich.table import Table

from grader.status import Status

WORKERS = (1, 2)
ESTIMATE_SUBMISSIONS = 10_000
ESTIMATE_WORKERS = (1, 10, 50, 100)


def measure(folder: Path, scratch: Path) -> dict[int, dict]:
    """For each worker count: startup, grading and completion times of one run."""
    from grader.instructor import cluster
    from grader.instructor.batch import BatchOptions
    from grader.instructor.submissions import discover
    runs = {}
    for workers in WORKERS:
        out = scratch / f"dask-{workers}"
        options = BatchOptions(source=folder, assignment="hw1", out=out, progress=False)
        todo = discover(folder, out)
        finished, rows = [], []
        started = time.perf_counter()
        with cluster.connect(f"local:{workers}") as client:
            ready = time.perf_counter()
            cluster.grade(client, todo, options,
                          lambda _, row: (finished.append(time.perf_counter()), rows.append(row)),
                          note=lambda message: None)
            done = time.perf_counter()
        failed = [r for r in rows if r["status"] == Status.ERROR]
        if failed or len(rows) != len(todo):
            raise SystemExit(f"dask bench: {len(rows)} of {len(todo)} graded, errors: "
                             f"{[r['status_message'] for r in failed][:3]}")
        runs[workers] = {"n": len(todo), "startup": ready - started, "grading": done - ready,
                         "finished": [t - ready for t in finished]}
    return runs


def report(console, runs: dict[int, dict], pool_notebooks: int, pool_wall: float) -> None:
    table = Table(title=f"Dask (LocalCluster) vs the local pool: the same {pool_notebooks} "
                        "hw1 notebooks",
                  caption="local pool: the whole `grader batch` command, its start-up "
                          "included; steady: after each worker's first notebook")
    for column in ("mode", "start-up s", "grading s", "notebooks/s", "steady nb/s"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    table.add_row("local pool (all cores)", "-", f"{pool_wall:.1f}",
                  f"{pool_notebooks / pool_wall:.2f}", "-")
    for workers, run in runs.items():
        table.add_row(f"Dask, {workers} worker{'s' * (workers > 1)}", f"{run['startup']:.1f}",
                      f"{run['grading']:.1f}", f"{run['n'] / run['grading']:.2f}",
                      f"{_steady(run, workers):.2f}")
    console.print(table)
    one = runs[1]
    steady = 1 / _steady(one, 1)               # seconds per submission on one worker
    first = one["finished"][0] - steady        # a worker's extra cost on its first submission
    scaling = _steady(runs[2], 2) / (2 * _steady(one, 1))
    console.print(f"measured: cluster start-up {one['startup']:.1f} s; a worker's first "
                  f"submission costs {first:.1f} s more (imports, fork server); then "
                  f"{steady:.2f} s per submission per worker; 2 workers reach "
                  f"{scaling:.0%} of twice 1 worker's steady throughput.", highlight=False)
    console.print(f"estimate for {ESTIMATE_SUBMISSIONS:,} submissions on N workers, one core "
                  "each: start-up + first submission + steady cost x submissions / N "
                  "(in brackets: at the 2-worker scaling measured here):", highlight=False)
    fixed = one["startup"] + first
    for n in ESTIMATE_WORKERS:
        ideal = fixed + ESTIMATE_SUBMISSIONS * steady / n
        measured = fixed + ESTIMATE_SUBMISSIONS * steady / (n * min(1.0, scaling))
        console.print(f"  N = {n:>3}: {_duration(ideal)}"
                      + (f" ({_duration(measured)})" if n > 1 else ""), highlight=False)
    console.print("  (workers on other machines start in parallel; shipping a notebook takes "
                  "milliseconds on a LAN and is in the measured cost)", highlight=False)


def _steady(run: dict, workers: int) -> float:
    """Submissions per second once every worker finished its first one."""
    finished = run["finished"]
    return (len(finished) - workers) / max(1e-9, finished[-1] - finished[workers - 1])


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"
