"""What runs on the student's side of the sandbox: the box and its layers.

Everything in this package runs in the worker fork server or in a worker
after the fork, never in the scoring process, and imports nothing from the
scoring side (``tests/test_box_boundary.py`` enforces it).  The layers:

* :mod:`grader.box.kernel`: thin ctypes calls the standard library lacks;
* :mod:`grader.box.rootfs`: a fresh read-only root built for the worker;
* :mod:`grader.box.identity`: an unprivileged uid in a user namespace,
  no capabilities, ``no_new_privs``;
* :mod:`grader.box.landlock`, :mod:`grader.box.syscall_filter`: what the
  kernel still allows without namespaces;
* :mod:`grader.box.limits`: cgroups and rlimits;
* :mod:`grader.box.jail`: the order in which they are applied.
"""
