"""torch._dynamo stays out of the fork server's start-up, and is there when needed.

Each test runs in a fresh interpreter: whether a module is imported is
process-wide state that earlier tests (and the test session's own fork
server) have long changed.
"""
import json
import subprocess
import sys
import textwrap

import pytest

from grader import config


def _run(code: str, timeout: float = 120) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line, returned here."""
    program = f"import sys, json\nsys.path.insert(0, {str(config.REPO_ROOT)!r})\n" + \
        textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=timeout, cwd=config.REPO_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_workers_warm_up_runs_meta_calls_without_importing_dynamo():
    """The old warm-up imported torch._dynamo (about 3 s on the batch's critical path)
    through its meta-device call."""
    seen = _run("""
        from grader.box import worker   # runs the warm-up, meta call included
        print(json.dumps({"dynamo": "torch._dynamo" in sys.modules}))
    """)
    assert seen == {"dynamo": False}


def test_deferred_functions_give_the_same_results_and_torch_compile_still_works():
    """A marked function runs as it is until torch._dynamo is loaded, and gets torch's own
    marker at its first call after that."""
    seen = _run("""
        import torch
        from torch._compile import _disable_dynamo
        from grader.box import lazy_dynamo

        def twice(x):
            return x * 2
        marked = _disable_dynamo(twice)          # as torch marks its own functions
        deferred = lazy_dynamo.defer()
        marker = lambda: type(getattr(twice, "__dynamo_disable", None)).__name__
        a = torch.nn.functional.pad(torch.ones(1, 1, 2, 3, device="meta"), (1, 1, 1, 1))
        b = (torch.rand(4, 5, device="meta") * 2).sum(dim=1)
        before = {"value": float(marked(torch.ones(1))), "marker": marker(),
                  "dynamo": "torch._dynamo" in sys.modules}
        compiled = torch.compile(lambda x: (x * 2).sum(), backend="eager")
        total = float(compiled(torch.ones(3)))
        after = {"value": float(marked(torch.ones(1))), "marker": marker()}
        print(json.dumps({"deferred": deferred, "shapes": [list(a.shape), list(b.shape)],
                          "before": before, "total": total, "after": after}))
    """)
    assert seen["deferred"] > 1   # torch's own and ours; else the import is paid as before
    assert seen["shapes"] == [[1, 1, 4, 5], [4]]
    assert seen["before"] == {"value": 2.0, "marker": "_Deferred", "dynamo": False}
    assert seen["total"] == 6.0
    assert seen["after"]["value"] == 2.0
    assert seen["after"]["marker"] not in ("_Deferred", "NoneType")   # torch's own now


def test_a_worker_imports_dynamo_while_loading_only_if_its_source_may_need_it():
    """Forked before the server's late warm-up, a worker whose code uses torch.optim
    imports dynamo while loading (30 s limit), not inside a 5 s call."""
    seen = _run("""
        from grader.box import worker
        def after(code):
            worker.late_warm_up([{"code": code}])
            return "torch._dynamo" in sys.modules
        print(json.dumps({"comment": after("# the SGD optimizer, by hand\\nx = 1"),
                          "optim": after("import torch\\nopt = torch.optim.SGD"),}))
    """)
    assert seen == {"comment": False, "optim": True}


def test_the_fork_server_warms_up_the_rest_once_its_first_workers_are_out():
    """The first worker starts without dynamo; one forked after the server was idle has it."""
    seen = _run("""
        import time, torch
        from grader.sandbox import Sandbox
        from grader.student import Student
        code = ("import sys, torch\\n"
                "def loaded(x):\\n"
                "    return torch.tensor([float(('torch.' + '_dy' + 'namo') in sys.modules)])\\n")
        def ask():
            box = Sandbox([{"code": code, "filename": "s.py", "label": "s.py"}], {"f": []})
            student = Student(box)
            student.component = "f"
            try:
                return float(student.call("loaded", torch.zeros(1))[0])
            finally:
                box.close()
        first = ask()
        deadline = time.monotonic() + 60
        later = ask()
        while not later and time.monotonic() < deadline:
            time.sleep(1)
            later = ask()
        print(json.dumps({"first": first, "later": later}))
    """, timeout=240)
    assert seen == {"first": 0.0, "later": 1.0}


@pytest.mark.parametrize("off", ["", "namespaces"])
def test_the_first_worker_can_step_a_torch_optimizer(off):
    """torch.optim's built-in step imports torch._dynamo.  The first worker of a fresh
    server is forked before the server's late warm-up; without namespaces its box may
    not read the standard library dynamo needs (a Python under /root), so there the
    server imports dynamo before its first fork (the version before that failed with
    "No module named '_sysconfigdata...'")."""
    seen = _run(f"""
        import os
        os.environ["GRADER_SANDBOX_OFF"] = {off!r}
        import torch
        from grader.sandbox import Sandbox
        from grader.student import Student
        code = ("import sys, torch\\n"
                "AT_LOAD = ('torch.' + '_dy' + 'namo') in sys.modules\\n"
                "def loaded_early(x):\\n"
                "    return torch.tensor([float(AT_LOAD)])\\n"
                "def step(x):\\n"
                "    p = torch.nn.Parameter(x.clone())\\n"
                "    opt = torch.optim.SGD([p], lr=0.5)\\n"
                "    p.grad = torch.ones_like(x)\\n"
                "    opt.step()\\n"
                "    return p.detach()\\n")
        box = Sandbox([{{"code": code, "filename": "s.py", "label": "s.py"}}], {{"f": []}})
        student = Student(box)
        student.component = "f"
        try:
            print(json.dumps({{"stepped": student.call("step", torch.ones(2)).tolist(),
                              "at_load": student.call("loaded_early", torch.ones(1)).tolist(),
                              "namespaces": any(layer.startswith("namespaces")
                                                for layer in box.isolation)}}))
        finally:
            box.close()
    """, timeout=240)
    # before student code ran: the worker imported it while loading (its source says
    # torch.optim), or the server did before forking it (no namespaces)
    assert seen == {"stepped": [0.5, 0.5], "at_load": [1.0], "namespaces": off != "namespaces"}
