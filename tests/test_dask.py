"""``grader batch --scheduler``: a real Dask cluster gives the local mode's grades.

Every test starts real worker processes (``LocalCluster``, or ``dask worker``
as the README tells instructors to run it) and compares with one local-pool
run of the same corpus: the bundled example notebooks plus a submission that
looks for the other shipped submissions on its worker (it must not see them).
"""
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from conftest import REFERENCE, REPO, run_grader

import dask   # in requirements.txt: a broken install fails here, it is not a skip
import distributed

from grader.instructor import cluster, remote
from grader.instructor.batch import BatchOptions, run_batch
from grader.errors import UsageError
from grader.instructor.gradebook import Gradebook
from grader.instructor.submissions import discover

EXAMPLES = REPO / "tests" / "fixtures" / "submissions" / "hw1"
SPY = f'''
import glob as _glob, os as _os, tempfile as _tempfile
_SEEN = _glob.glob(_os.path.join(_tempfile.gettempdir(), "{remote.MACHINE_FOLDER}", "*", "spy_*"))
_honest_softmax = softmax


def softmax(X):  # honest only while the worker's submission folder stays hidden
    return torch.full_like(X, 0.5) if _SEEN else _honest_softmax(X)
'''
VOLATILE = {"seconds", "timings", "graded_at", "worker"}


def _build(folder: Path) -> Path:
    shutil.copytree(EXAMPLES, folder)
    (folder / "spy_1010_5010_hw1.py").write_text((REFERENCE / "hw1.py").read_text() + SPY)
    return folder


def _rows(out: Path) -> dict:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return {row["student_id"]: _stable(row) for row in book.rows("hw1")}
    finally:
        book.close()


def _assert_same_rows(out: Path, expected: Path) -> None:
    got, want = _rows(out), _rows(expected)
    assert set(got) == set(want)
    differ = {sid: (got[sid]["result"]["score"], want[sid]["result"]["score"])
              for sid in want if got[sid] != want[sid]}
    assert not differ, f"rows differ from the local run (dask, local score): {differ}"


def _stable(value):
    """A gradebook row without what differs between two runs (times, places)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("dask") / "subs")


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    proc = run_grader("batch", corpus, "--assignment", "hw1", "--out", out, "--jobs", "2",
                      "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_local_cluster_gives_the_local_grades_and_resumes(corpus, local_run, tmp_path):
    out = tmp_path / "out"
    args = ("batch", corpus, "--assignment", "hw1", "--out", out, "--no-progress",
            "--scheduler", "local:2")
    proc = run_grader(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "grades.csv").read_text() == (local_run / "grades.csv").read_text()
    _assert_same_rows(out, local_run)   # every check, message, example, isolation note
    assert _rows(out)["spy_1010"]["result"]["score"] == 47
    for name in ("alice_1001.md", "bob_1002.md", "spy_1010.md"):
        assert (out / "feedback" / name).read_text() == (local_run / "feedback" / name).read_text()
    assert proc.stdout.count("no Dask worker advertises a GPU") == 1
    again = run_grader(*args)   # resumable: nothing left, no cluster started
    assert again.returncode == 0 and "10 already in the gradebook" in again.stdout
    assert "dask:" not in again.stdout


def test_a_killed_worker_only_delays_its_submissions(corpus, local_run, tmp_path,
                                                     monkeypatch):
    recorded = Counter()
    original = Gradebook.record
    monkeypatch.setattr(Gradebook, "record", lambda book, row: (
        recorded.update([row["student_id"]]), original(book, row))[-1])
    out = tmp_path / "out"
    with _local_cluster(2) as local, distributed.Client(local) as client:
        options = BatchOptions(source=corpus, assignment="hw1", out=out, progress=False,
                               scheduler=local.scheduler_address)
        errors = []
        batch = threading.Thread(target=_capture(errors, run_batch, options,
                                                 Console(file=io.StringIO())))
        batch.start()
        victim = _busy_worker_after_first_row(client, out)
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGSTOP)   # frozen: what it holds now cannot finish
        in_flight = client.processing()[victim]
        os.kill(pid, signal.SIGKILL)
        batch.join(600)
        assert not batch.is_alive() and not errors, errors
        assert victim not in client.scheduler_info(n_workers=-1)["workers"]  # it was lost
        story = client.story(*in_flight)
    _assert_same_rows(out, local_run)
    assert recorded == Counter({sid: 1 for sid in _rows(local_run)})  # graded once each
    runs = Counter(key for _, key, _, finish, *_ in story if finish == "processing")
    assert max(runs[key] for key in in_flight) >= 2, story   # Dask ran a lost task again


def _capture(errors, function, *args):
    def run():
        try:
            function(*args)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
    return run


def _busy_worker_after_first_row(client, out: Path) -> str:
    """A worker in the middle of a submission, once at least one row is recorded."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if (out / "gradebook.sqlite").exists():
            busy = [w for w, keys in client.processing().items() if keys]
            if busy and _graded_ids(out):
                return busy[0]
        time.sleep(0.1)
    raise AssertionError("the batch never had a row and a busy worker")


def _graded_ids(out: Path) -> set:
    try:
        book = Gradebook(out / "gradebook.sqlite")
        try:
            return set(book.graded("hw1"))
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - being created by the batch
        return set()


def test_gpu_parity_goes_to_gpu_workers_and_never_waits_forever(tmp_path, monkeypatch):
    folder = tmp_path / "subs"
    folder.mkdir()
    for index in range(4):
        (folder / f"s{index}_{index}_9_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    todo = discover(folder, tmp_path)
    options = BatchOptions(source=folder, assignment="hw1", out=tmp_path / "out")
    with _local_cluster(1) as local, distributed.Client(local) as client:
        gpu = _dask_worker(local.scheduler_address, "--resources", "GPU=1")
        try:
            client.wait_for_workers(2, timeout=120)
            cluster.check_workers(client)   # the README's `dask worker` command is accepted
            [gpu_address] = cluster.gpu_workers(client)
            rows, notes = {}, []
            done = lambda s, row: rows.setdefault(s.student_id, row)  # noqa: E731
            assert cluster.grade(client, todo[:2], options, done, notes.append) == []
            assert {row["worker"] for row in rows.values()} == {gpu_address} and not notes
            # the GPU machine goes away for good while its tasks wait: they run elsewhere
            monkeypatch.setattr(cluster, "GPU_WAIT_S", 2)
            grading = threading.Thread(target=cluster.grade,
                                       args=(client, todo[2:], options, done, notes.append))
            grading.start()
            _until(lambda: any(client.processing().get(gpu_address, ())))
            os.killpg(gpu.pid, signal.SIGKILL)
            grading.join(300)
            assert not grading.is_alive()
        finally:
            _stop(gpu)
    assert set(rows) == {s.student_id for s in todo}
    assert {row["result"]["score"] for row in rows.values()} == {47}
    assert any("GPU workers left" in note for note in notes)
    assert {rows[s.student_id]["worker"] for s in todo[2:]} != {gpu_address}


def test_routing_decision():
    assert cluster.needs_gpu("hw1") and cluster.needs_gpu("hw2")  # every rubric has parity
    assert cluster.route(False, 0) == (None, None)
    assert cluster.route(True, 2) == ({"GPU": 1}, None)
    resources, note = cluster.route(True, 0)
    assert resources is None and "GPU parity checks are skipped" in note


def test_daemonic_workers_grade(tmp_path):
    """Dask's default worker processes are daemonic; grading must work there too."""
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ref_1_9_hw1.py").write_text((REFERENCE / "hw1.py").read_text())
    with dask.config.set({"distributed.worker.daemon": True}), _local_cluster(1) as local:
        options = BatchOptions(source=folder, assignment="hw1", out=tmp_path / "out",
                               progress=False, scheduler=local.scheduler_address)
        summary = run_batch(options, Console(file=io.StringIO()))
    assert summary.graded == 1
    assert _rows(tmp_path / "out")["ref_1"]["result"]["score"] == 47


@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1:1", "no Dask scheduler answered"),
    ("nonsense://here", "no Dask scheduler answered"),
    ("local:0", "expects local:N"),
])
def test_bad_scheduler_address_is_a_usage_error(address, message, tmp_path):
    started = time.monotonic()
    proc = run_grader("batch", EXAMPLES, "--assignment", "hw1", "--out", tmp_path / "out",
                      "--no-progress", "--scheduler", address, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - started < cluster.CONNECT_TIMEOUT_S + 30


def _local_cluster(workers: int):
    return distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                    dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)


def _dask_worker(scheduler: str, *extra) -> subprocess.Popen:
    """``dask worker`` as the README says to start one on another machine."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    dask_cli = Path(sys.executable).parent / "dask"
    return subprocess.Popen([str(dask_cli), "worker", scheduler, "--nthreads", "1",
                             "--nworkers", "1", "--no-dashboard", *extra],
                            cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(30)


def _until(condition, timeout=300):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_unlike_this_machine_is_refused():
    ours = remote.fingerprint()
    remote.check_here(ours)
    with pytest.raises(UsageError, match="hypothesis differ"):
        remote.check_here({**ours, "hypothesis": "0.0"})


# --- nothing waits forever (issue: a batch of any size finishes) -----------------

STUB = (REPO / "assignments" / "hw1" / "hw1.py").read_text()


def _alternating(tmp_path, count: int):
    """``count`` submissions: the reference (47) at even indexes, the stub (0) at odd."""
    folder = tmp_path / "subs"
    folder.mkdir()
    for index in range(count):
        text = (REFERENCE / "hw1.py").read_text() if index % 2 == 0 else STUB
        (folder / f"s{index}_{index}_9_hw1.py").write_text(text)
    todo = discover(folder, tmp_path)
    return todo, {s.student_id: 47 if int(s.student_id.split("_")[1]) % 2 == 0 else 0
                  for s in todo}


def test_more_submissions_than_workers_times_recycle_count(tmp_path):
    todo, expected = _alternating(tmp_path, 5)
    options = BatchOptions(source=todo[0].path.parent, assignment="hw1", out=tmp_path / "out",
                           recycle_after=2)
    rows = {}
    with _local_cluster(1) as local, distributed.Client(local) as client:
        failed = cluster.grade(client, todo, options, lambda s, row: rows.setdefault(
            s.student_id, row))
    assert failed == []
    assert {sid: row["result"]["score"] for sid, row in rows.items()} == expected
    assert len({row["scorer"] for row in rows.values()}) >= 3   # 5 submissions, 2 a scorer


def test_a_frozen_scorer_on_a_worker_costs_one_submission(tmp_path):
    todo, expected = _alternating(tmp_path, 5)
    options = BatchOptions(source=todo[0].path.parent, assignment="hw1", out=tmp_path / "out",
                           stall_after=40)   # above an honest submission on a loaded CI machine
    rows, errors = {}, []
    with _local_cluster(1) as local, distributed.Client(local) as client:
        grading = threading.Thread(target=_capture(errors, cluster.grade, client, todo, options,
                                                   lambda s, row: rows.setdefault(
                                                       s.student_id, row)))
        grading.start()
        _until(lambda: rows and _scorers_below(os.getpid()))
        os.kill(_scorers_below(os.getpid())[0], signal.SIGSTOP)
        grading.join(300)
        assert not grading.is_alive() and not errors, errors
    stuck = [sid for sid, row in rows.items() if row["status"] == "error"]
    assert len(rows) == 5 and len(stuck) == 1, rows
    assert "stopped responding" in rows[stuck[0]]["status_message"]
    assert {sid: row["result"]["score"] for sid, row in rows.items() if sid not in stuck} == \
        {sid: score for sid, score in expected.items() if sid not in stuck}


def test_a_frozen_worker_is_named_restarted_and_the_batch_ends(tmp_path, monkeypatch):
    todo, expected = _alternating(tmp_path, 4)
    # The scorers' own limit (stall_after) must exceed what an honest submission takes on a
    # loaded 2-core CI machine (a 10 s limit once timed out the reference); the worker-level
    # limit is stall_after + WORKER_STALL_MARGIN_S.
    options = BatchOptions(source=todo[0].path.parent, assignment="hw1", out=tmp_path / "out",
                           stall_after=40)
    monkeypatch.setattr(cluster, "WORKER_STALL_MARGIN_S", 5)
    monkeypatch.setattr(cluster, "POLL_S", 1)
    rows, notes, errors = {}, [], []
    with _local_cluster(1) as local, distributed.Client(local) as client:
        grading = threading.Thread(target=_capture(errors, cluster.grade, client, todo, options,
                                                   lambda s, row: rows.setdefault(
                                                       s.student_id, row), notes.append))
        grading.start()
        victim = _until_value(lambda: rows and [w for w, keys in client.processing().items()
                                                 if keys])[0]
        os.kill(client.run(os.getpid, workers=[victim])[victim], signal.SIGSTOP)
        grading.join(300)
        assert not grading.is_alive() and not errors, errors
    stuck = [sid for sid, row in rows.items() if row["status"] == "error"]
    assert len(rows) == 4 and len(stuck) == 1, rows
    assert victim in rows[stuck[0]]["status_message"] and "stuck" in rows[stuck[0]]["status_message"]
    assert any(victim in note for note in notes)
    assert {sid: row["result"]["score"] for sid, row in rows.items() if sid not in stuck} == \
        {sid: score for sid, score in expected.items() if sid not in stuck}


def _scorers_below(pid: int) -> list[int]:
    """Scorer processes anywhere below ``pid``: children of a scorer host."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        children = []
        for task in Path(f"/proc/{parent}/task").glob("*"):   # children of every thread
            try:
                children += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        if parent != pid and b"serve_host" in _cmdline(parent):
            found += children
        stack += children
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _until_value(produce, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        value = produce()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
