"""``make bench``: how long grading takes, measured in one run.

1. ``make test``: grades the reference of every assignment several times,
   each in a fresh process, and prints medians: wall time per assignment and
   for both together (target <= 15 s), and seconds per check kind.
2. batch: 100 hw1 notebooks (copies of the bundled example submissions) with
   ``grader batch`` on all cores: notebooks/second, the per-submission
   isolation overhead (fork + load of the worker), peak memory for 25 vs 100
   submissions, and the same notebooks executed with nbclient as baseline;
   then 25 of them on a Dask LocalCluster of 1 and 2 workers, and an estimate
   for 10,000 submissions on N workers (:mod:`grader.instructor.bench_dask`).

Machines are noisy: trust medians and ratios, not single runs.
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader import config

RUNS = 3
TARGET_BOTH_S = 15.0


def _grade_once(args: list[str]) -> tuple[float, list]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "grader", *args, "--json", str(out)],
                              cwd=config.REPO_ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"grading failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        data = json.loads(out.read_text())
    return wall, data if isinstance(data, list) else [data]


def main() -> None:
    console = Console()
    reference = config.IMPLEMENTATION_DIRS["reference"]
    walls: dict[str, list[float]] = defaultdict(list)
    kinds: dict[str, list[float]] = defaultdict(list)
    for _ in range(RUNS):
        for assignment in config.ASSIGNMENTS:
            wall, results = _grade_once(["grade", str(reference / f"{assignment}.py"),
                                         "--assignment", assignment])
            walls[assignment].append(wall)
            _collect_kinds(results, kinds)
        wall, _ = _grade_once(["test", "--impl", "reference"])
        walls["both (make test)"].append(wall)
    _print_walls(console, walls)
    _print_kinds(console, kinds)
    from grader.instructor import bench_batch
    bench_batch.main(console)
    _gpu_parity(console)


def _gpu_parity(console) -> None:
    """Wall time of the GPU parity suite, where a GPU exists."""
    import torch
    if not torch.cuda.is_available():
        console.print("GPU parity suite: skipped (no CUDA device on this machine)")
        return
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests/gpu", "-m", "gpu", "-q"],
                          cwd=config.REPO_ROOT, capture_output=True, text=True)
    console.print(f"GPU parity suite ({torch.cuda.get_device_name(0)}): "
                  f"{time.perf_counter() - start:.1f} s wall, exit {proc.returncode}")


def _collect_kinds(results: list, kinds: dict) -> None:
    per_run: dict[str, float] = defaultdict(float)
    for result in results:
        for component in result["components"]:
            for check in component["checks"]:
                per_run[check["kind"]] += check["seconds"]
    for kind, seconds in per_run.items():
        kinds[kind].append(seconds)


def _print_walls(console, walls) -> None:
    table = Table(title=f"grading the reference, wall seconds (median of {RUNS} fresh runs)")
    for column in ("what", "median s", "min s", "max s", "target"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for what, values in walls.items():
        target = f"<= {TARGET_BOTH_S:g} s" if what.startswith("both") else ""
        table.add_row(what, f"{statistics.median(values):.2f}", f"{min(values):.2f}",
                      f"{max(values):.2f}", target)
    console.print(table)
    both = statistics.median(walls["both (make test)"])
    console.print(f"both assignments: {both:.2f} s = {both / TARGET_BOTH_S:.2f} x the 15 s target")


def _print_kinds(console, kinds) -> None:
    table = Table(title="time in checks by kind, both assignments (median per run)")
    table.add_column("kind")
    table.add_column("median s", justify="right")
    table.add_column("share", justify="right")
    medians = {kind: statistics.median(values) for kind, values in kinds.items()}
    total = sum(medians.values()) or 1.0
    for kind, seconds in sorted(medians.items(), key=lambda item: -item[1]):
        table.add_row(kind, f"{seconds:.2f}", f"{seconds / total:.0%}")
    console.print(table)


if __name__ == "__main__":
    main()
