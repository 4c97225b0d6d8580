"""Every tunable number and path of the harness, in one place.

Per-check overrides (points, hints, time limits) live in each assignment's
``rubric.toml``; what is here are the harness-wide defaults.
"""
import os
from pathlib import Path

from hypothesis import HealthCheck, Phase

REPO_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
# Every folder of checks with a rubric (hw1, hw2; a student release holds only its own).
ASSIGNMENTS = tuple(sorted(p.parent.name for p in CHECKS_DIR.glob("*/rubric.toml")))
D2L_SHIM_DIR = Path(__file__).resolve().parent / "d2l_shim"   # `import d2l` in workers

# Where `make test` looks for work, per assignment (IMPL=assignments|reference).
IMPLEMENTATION_DIRS = {
    "assignments": REPO_ROOT / "assignments",
    "reference": REPO_ROOT / "reference",
}

# --- limits on student code -------------------------------------------------
CHECK_TIMEOUT_S = 20.0          # wall time for one check (all its examples)
CALL_TIMEOUT_S = 5.0            # one call of student code on our (small) inputs
CALL_TIMEOUT_AFTER_HANG_S = 1.0  # once a component has hung, later calls get this
LOAD_TIMEOUT_S = 30.0           # wall time to load a submission in a worker
SUBMISSION_BUDGET_S = 60.0      # wall time for one submission, every check (rubric may override)
# Hidden checks run after the public ones; this share of the budget is kept for them, so a
# component whose public checks use up the time (an endless loop in each call) does not
# also cost every other component its hidden checks.
HIDDEN_CHECKS_BUDGET_SHARE = 0.25
STATEMENT_TIMEOUT_S = 5.0       # one top-level statement of the submission
MEMORY_BUDGET_BYTES = 2 << 30   # address space a worker may add after start
MEMORY_CGROUP_BYTES = 3 << 30   # memory cgroup of a worker (new pages, tmpfs included)
FILE_SIZE_LIMIT_BYTES = 64 << 20
WORK_FOLDER_BYTES = 64 << 20    # the worker's writable folder (a tmpfs in its box)
TMP_BYTES = 64 << 20            # its /tmp and its /dev/shm, each
CPU_SECONDS_PER_WORKER = 300    # CPU time of one worker (one submission, one restart)
MAX_PROCESSES = 64              # threads and processes per worker (pids cgroup)
WORKER_CPUS = 1.0               # cores a worker's threads may use together (cpu cgroup quota)
WORKER_OPEN_FILES = 256         # open files of a worker (RLIMIT_NOFILE)
# Without namespaces the work folder is on the host's disk: the scorer measures it
# (and the worker's open files there) this often and ends the worker past the quota.
WORK_FOLDER_WATCH_S = 0.05
WORK_FOLDER_FILES = 2_000       # entries in the work folder (inodes), same watch
# As root each concurrent worker gets a uid and gid of its own, BASE + slot (as in
# isolate), reserved with a lock file in SLOT_LOCKS for as long as the worker lives.
BOX_UID_BASE = 60_000
BOX_SLOTS = 1_000
BOX_SLOT_LOCKS = "/run/grader-box-slots"
MAX_LOAD_PROBLEMS = 50          # load problems kept per submission (then one summary line)
# Student code sees an allow-list (Python, its packages, the d2l shim); these are
# also covered should one of them lie inside an allowed folder.
HIDDEN_PATHS = (REPO_ROOT / "reference", CHECKS_DIR, REPO_ROOT / "tests", REPO_ROOT / "out")
MAX_SUBMISSION_BYTES = 50 << 20  # a submission file larger than this is refused, not read
MAX_ZIP_BYTES = 2 << 30          # an LMS zip: total uncompressed size (zip bombs)
STUDENT_OUTPUT_CAP_BYTES = 8_000  # printed output kept for feedback
# Sandbox layers switched off on purpose (comma-separated: namespaces, uid, landlock,
# seccomp, cgroups): only to test the degraded modes.
SANDBOX_OFF = frozenset(filter(None, os.environ.get("GRADER_SANDBOX_OFF", "").split(",")))
# Largest reply accepted from a worker (tensor bytes included). The references' largest is
# 1.6 MB; a scorer holds about 30 times a reply while a check compares and shrinks
# (256 MiB replies took one scorer to 6.4 GB, 28 MiB ones to 1.15 GB).
MAX_MESSAGE_BYTES = 16 << 20
RECEIVE_GRACE_S = 5.0           # to finish sending an answer already begun (big tensors)
WORKER_THREADS = 1              # one intra-op thread: faster to start, deterministic

# The device parity checks compare against the CPU.  Only the harness's own
# tests set GRADER_PARITY_DEVICE=cpu, to run the parity code path without a GPU.
PARITY_DEVICE = os.environ.get("GRADER_PARITY_DEVICE", "cuda")

FORK_SERVER_START_TIMEOUT_S = 300.0  # its first answer waits for its imports
INCELL_TIMEOUT_S = 900          # grader.check(): the grading child process, every check included

# --- text kept (student code controls most of it, so every piece has a cap) -------
MESSAGE_CHARS = 500             # a load problem's message; a grader failure for the instructor
NOTE_CHARS = 300                # an instructor note or flag; a grader bug's one-line message
PYTEST_REPORT_CHARS = 200       # a check's exception in pytest's own report (never shown)
WATCH_NOTES_KEPT = 3            # the from-scratch watch's notes kept per worker...
WATCH_NOTE_CHARS = 200          # ...and of each, this much

# --- batch grading (instructors) --------------------------------------------
SUBMISSIONS_PER_SCORER = 200    # a scorer is replaced after this many: memory stays flat
# A scorer silent this long past the submission's budget is taken for stuck:
# the batch names what it waited for, kills it and grades the rest.
SCORER_STALL_MARGIN_S = 60.0
SCORER_HOST_START_TIMEOUT_S = 300.0  # the first fork waits for the host's imports and collection
SUMMARY_FAILURES = 20           # report.html: rows of "most common failures"...
SUMMARY_MESSAGE_CHARS = 200     # ...and the message kept of each
# on a Dask cluster (grader/cluster.py)
DASK_CONNECT_TIMEOUT_S = 10     # an unreachable scheduler: a clear error after this long
DASK_WORKERS_TIMEOUT_S = 60     # a scheduler without workers: idem
DASK_GPU_WAIT_S = 30            # no result and no GPU worker left this long: run the rest anywhere
DASK_SUBMIT_AHEAD = 2           # tasks in flight per worker thread: bounds memory here and there
DASK_POLL_S = 5                 # how often the watchdog looks at what the workers are doing
DASK_TASK_ATTEMPTS = 3          # Dask gave up on a task (lost workers): try it this often in all
DASK_WORKER_STALL_MARGIN_S = 60  # on top of the scorers' own stall limit: starting a scorer host

# --- hypothesis -------------------------------------------------------------
# derandomize + no database: every run and every student sees the same cases,
# and nothing is shared between students through a .hypothesis/ folder.
HYPOTHESIS_PROFILE = "grading"
HYPOTHESIS_SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=15,
    print_blob=False,
    report_multiple_bugs=False,
    # No explain phase: after a failure it traces every shrinking run (sys.settrace)
    # to annotate the example, which doubles the cost of a failing check.  The
    # shrunk example is the same without it.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
# A hidden check's failing input is never shown to a student (grader.visibility),
# so it is not shrunk: shrinking was about 80 % of a failing hidden check's time.
# Its pass/fail, and so every score, is the same either way.
SHRINK_HIDDEN_CHECKS = False

# --- numerics ---------------------------------------------------------------
GRADCHECK_EPS = 1e-6
GRADCHECK_ATOL = 1e-5
GRADCHECK_RTOL = 1e-3
