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
