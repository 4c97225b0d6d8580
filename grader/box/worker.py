"""The student side: a process that loads a submission and runs requests.

Forked for :mod:`grader.sandbox` from a server that has already imported
torch, and started inside its box (:mod:`grader.box.launch`).  It never
decides anything: it runs the student's code on the inputs it is sent and
answers with plain data (see :mod:`grader.wire`).  Its working directory is
a size-capped tmpfs, its output goes to an in-memory file the scorer reads.
"""
import ast
import importlib
import linecache
import os
import re
import signal
import sys
import time
import traceback
import types

import torch

from grader import scratch, wire
from grader.box import lazy_dynamo, probes, worker_state

SUBMISSION_MODULE = "submission"


class StatementTimeout(BaseException):
    """Raised by the alarm in a top-level statement that runs too long."""


# --- process setup ----------------------------------------------------------

def warm_up():
    """Pay torch's first-use costs once, in the fork server, not in every worker.

    Entering a TorchFunctionMode/TorchDispatchMode the first time imports
    ~800 modules (about 0.9 s); first autograd, meta and convolution calls add
    more (without :mod:`grader.box.lazy_dynamo`, the first meta call alone would
    import torch._dynamo: about 3 s).  Done here, at import in the fork server, every forked worker starts
    warm.  One thread only: a fork server must not have started thread pools.
    """
    torch.set_num_threads(1)
    worker_state.remember()
    lazy_dynamo.defer()   # the meta call below would import torch._dynamo: ~3 s
    for name in PRELOADED:   # what torch._dynamo used to bring in, and workers use
        importlib.import_module(name)
    worker_state.reset(0)
    bans = scratch.BanList(["torch.nn.functional.softmax", "aten::_softmax", "torch.optim"])
    x = torch.linspace(-1, 1, 16, dtype=torch.float64).reshape(1, 1, 4, 4).requires_grad_()
    with scratch.watch(bans, set()):
        y = torch.nn.functional.pad(x, (1, 1, 1, 1))[:, :, ::2, 1:3].exp()
        z = (y.reshape(-1) @ y.reshape(-1)) + x.gather(3, torch.zeros(1, 1, 4, 1, dtype=torch.long)).sum()
        torch.autograd.grad(z, x)
        torch.rand(3, device="meta") * 2
        torch.randn(2, 3).max(dim=1, keepdim=True).values.log().mean()



# Imported here, not in each worker: numpy.random seeds every request
# (worker_state.reset), and torch._dynamo, imported late, needs the standard
# library's profile and statistics modules.  Where a box cannot read the standard
# library (no namespaces, a Python under /root) a worker could not import them.
PRELOADED = ("numpy.random", "numpy.fft", "secrets", "hmac", "statistics", "cProfile",
             "pstats", "shlex", "getpass", "sysconfig", "ctypes.util")


def late_warm_up(chunks: list[dict] | None = None) -> None:
    """Import ``torch._dynamo`` (about 3 CPU-seconds), which torch.optim's built-in
    ``step`` and ``torch.compile`` need.

    The fork server calls this once its first workers are out (see
    :meth:`grader.box.forkserver.Server._late_warm_up`), so that start-up does not
    wait for it.  A worker forked before that imports it while loading, if its
    source could need it, so that a call of student code does not spend its
    time limit on our import.
    """
    if "torch._dynamo" in sys.modules:
        return
    if chunks is not None and not any(DYNAMO_WORDS.search(chunk["code"]) for chunk in chunks):
        return
    try:
        import torch._dynamo  # noqa: F401
    except Exception:  # noqa: BLE001 - then whatever needs it fails as it would anyway
        pass


# In a source that may need torch._dynamo: torch.optim, torch.compile, dynamo itself
DYNAMO_WORDS = re.compile(r"\boptim\b|\bcompile\b|_dynamo")


def _forget_grader_modules():
    """Drop our modules from ``sys.modules`` before student code runs.

    Our code keeps its references; a student's ``import grader.box.probes`` then
    gets a fresh copy, and patching that copy changes nothing we use.
    """
    for name in [n for n in sys.modules if n == "grader" or n.startswith("grader.")]:
        del sys.modules[name]


# --- loading ----------------------------------------------------------------

def load(chunks: list[dict], statement_timeout: float,
         max_problems: int = 50) -> tuple[dict, list[dict]]:
    """Execute the submission's top-level statements one by one.

    A statement that raises or runs too long is skipped and reported, so one
    broken line (a training loop left at the bottom of the file, say) costs
    only the definitions that depend on it.
    """
    module = types.ModuleType(SUBMISSION_MODULE)
    sys.modules[SUBMISSION_MODULE] = module
    namespace = module.__dict__
    report = []
    for chunk in chunks:
        _register_source(chunk)
        try:
            tree = ast.parse(chunk["code"], chunk["filename"])
        except SyntaxError as exc:
            report.append(_load_problem(chunk, exc.lineno, "SyntaxError", exc.msg))
            continue
        for node in tree.body:
            problem = _run_statement(node, chunk, namespace, statement_timeout)
            if problem:
                report.append(problem)
    return namespace, cap_problems(report, max_problems)


def _register_source(chunk: dict) -> None:
    """Let ``inspect`` find the chunk's text: it is compiled from a string, under a
    file name that does not exist in the box.  Correct code can need it
    (``@torch.jit.script`` compiles a function from ``inspect.getsource``)."""
    lines = chunk["code"].splitlines(keepends=True)
    linecache.cache[chunk["filename"]] = (len(chunk["code"]), None, lines, chunk["filename"])


def cap_problems(report: list[dict], most: int) -> list[dict]:
    """At most ``most`` entries, the last of them counting the rest."""
    if len(report) <= most:
        return report
    rest = len(report) - most + 1
    return report[:most - 1] + [
        {"where": report[most - 1]["where"], "type": "More",
         "message": f"{rest} more problems while loading; fix the ones above first"}]


def _run_statement(node, chunk, namespace, timeout):
    code = compile(ast.Module([node], type_ignores=[]), chunk["filename"], "exec")
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        exec(code, namespace)
    except StatementTimeout:
        return _load_problem(chunk, node.lineno, "Timeout",
                             f"still running after {timeout:g} s; skipped")
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        return _load_problem(chunk, node.lineno, type(exc).__name__, str(exc))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _on_alarm(signum, frame):
    raise StatementTimeout()


def _load_problem(chunk, lineno, exc_type, message):
    return {"where": f"{chunk['label']} line {lineno}", "type": exc_type,
            "message": message[:500]}


# --- serving ----------------------------------------------------------------

def main(conn, payload: dict, layers: list[str]):
    """Entry point of the worker, once it is in its box (see :mod:`grader.box.launch`).

    The sandbox's layers are announced before any student code runs, so
    student code cannot forge that message.
    """
    from grader.box.jail import STEP_TIMES
    from grader.box.limits import JOINED
    conn.send_bytes(wire.pack({"boxed": True, "layers": layers, "cgroups": JOINED,
                               "seconds": {k: round(v, 5) for k, v in STEP_TIMES.items()}}, []))
    sys.dont_write_bytecode = True
    for stream in (sys.stdout, sys.stderr):   # a killed worker loses nothing it printed
        stream.reconfigure(line_buffering=True, write_through=True)
    torch.set_num_threads(payload["limits"]["threads"])
    gpu = _prepare_cuda()
    sys.path.insert(0, payload["d2l_shim"])  # notebooks' `from d2l import torch as d2l`
    late_warm_up(payload["chunks"])   # forked before the server's own late warm-up
    _forget_grader_modules()
    scratch.forget_observations()
    started = time.perf_counter()
    namespace, report = load(payload["chunks"], payload["limits"]["statement_timeout"],
                             payload["limits"]["max_load_problems"])
    context = probes.Context(
        namespace=namespace,
        bans={name: scratch.BanList(names) for name, names in payload["bans"].items()},
        student_files={chunk["filename"] for chunk in payload["chunks"]},
    )
    _flush()
    conn.send_bytes(wire.pack({"ready": True, "load_problems": report, "gpu": gpu,
                               "watch_notes": scratch.isolation_notes(),
                               "load_seconds": time.perf_counter() - started}, []))
    serve(conn, context)


def _prepare_cuda() -> dict:
    """Before CUDA starts: no TF32 (cuDNN convs use it by default), errors where they happen."""
    os.environ["CUDA_LAUNCH_BLOCKING"] = "1"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return {"tf32": False, "cudnn_deterministic": True}


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - student code may have replaced the streams
            pass


def serve(conn, context):
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            os._exit(0)
        reply, poisoned = answer(message, context)
        _flush()
        conn.send_bytes(reply)
        if poisoned:
            os._exit(0)  # a device-side assert ruins the CUDA context: start afresh


def answer(message: bytes, context) -> tuple[bytes, bool]:
    """Run one request and pack the reply; student failures become data.

    Also says whether the CUDA context is now unusable (the worker must end).
    """
    hits: set = set()
    blobs: list[bytes] = []
    try:
        request, in_blobs = wire.unpack(message)
        args = wire.decode(request.get("args"), in_blobs)
        result = probes.run(context, request, args, hits)
        reply = {"ok": True, "result": wire.encode(result, blobs)}
    except probes.Fault as fault:
        blobs.clear()
        reply = {"ok": False, "error": fault.info}
    except probes.StudentRaised as raised:
        blobs.clear()
        reply = {"ok": False, "error": _describe(raised.exc, context, raised.tb)}
    except Exception as exc:  # noqa: BLE001 - a harness bug, reported as such
        blobs.clear()
        reply = {"ok": False, "error": {"kind": "harness", "type": type(exc).__name__,
                                        "message": str(exc)[:2000],
                                        "where": traceback.format_exc()[-2000:]}}
    reply["banned"] = sorted(hits)
    try:
        reply["tampered"], reply["notes"] = scratch.tampering(), scratch.notes()
    except Exception:  # noqa: BLE001 - our own module was taken away by student code
        reply["tampered"], reply["notes"] = ["the grader's worker code was damaged"], []
    error_text = str(reply.get("error", {}).get("message", ""))
    reply["poisoned"] = "CUDA error" in error_text or "device-side assert" in error_text
    return wire.pack(reply, blobs), reply["poisoned"]


def _describe(exc: BaseException, context, tb) -> dict:
    stack = traceback.extract_tb(tb)
    frames = [f for f in stack if f.filename in context.student_files]
    # Only the student's own `raise NotImplementedError` means "not done yet";
    # torch raises it too (e.g. copying out of a meta tensor), and that is a bug.
    raised_by_student = bool(stack) and stack[-1].filename in context.student_files
    kind = ("not_implemented" if isinstance(exc, NotImplementedError) and raised_by_student
            else "student")
    where = ""
    if frames:
        last = frames[-1]
        where = f"{os.path.basename(last.filename)} line {last.lineno}, in {last.name}"
    return {"kind": kind, "type": type(exc).__name__, "message": str(exc)[:2000],
            "where": where}


warm_up()
