"""Kernel limits that must hold on machines where some layer is missing.

The adversarial batch runs with every layer this machine allows; these grade
one attack with a layer switched off (``GRADER_SANDBOX_OFF``), as on a machine
that lacks it, and check that another kernel layer still bounds it.
"""
import re
from pathlib import Path

import pytest

from grader import config
from test_sandbox import _grade_with

ATTACKS = Path(__file__).parent / "adversarial" / "hw1"


@pytest.mark.parametrize("off", ["cgroups", "cgroups,namespaces"])
def test_without_a_pids_cgroup_threads_are_still_bounded(tmp_path, off):
    """Docker without a writable cgroup tree: RLIMIT_NPROC on the box's own uid."""
    result, _ = _grade_with(tmp_path, off, addition="\n\n" + (ATTACKS / "thread_bomb.py").read_text())
    output = result["student_output"]
    started = re.search(r"thread_bomb: started (\d+) threads", output)
    assert started, output
    assert int(started[1]) <= config.MAX_PROCESSES, output
    assert any("threads" in layer for layer in result["isolation"] if layer.startswith("rlimits"))


def _box_semaphore_sets() -> int:
    """SysV semaphore sets on the host owned by a box's uid."""
    try:
        lines = open("/proc/sysvipc/sem").read().splitlines()[1:]
    except OSError:
        return 0
    return sum(1 for line in lines if int(line.split()[4]) >= config.BOX_UID_BASE)


def test_without_namespaces_no_sysv_object_outlives_the_worker(tmp_path):
    """Reduced isolation shares the host's IPC namespace: seccomp denies SysV IPC."""
    before = _box_semaphore_sets()
    result, _ = _grade_with(tmp_path, "namespaces", only="relu",
                            addition="\n\n" + (ATTACKS / "ipc_leftovers.py").read_text())
    output = result["student_output"]
    made = re.search(r"made (\d+) semaphore sets", output)
    assert made, output
    assert int(made[1]) == 0 and "reached 0 host segments" in output, output
    assert _box_semaphore_sets() == before
