"""Measure an out-of-process from-scratch watch: int3 breakpoints set by a ptrace parent.

Issue 12 asks what watching for banned ATen operators from *outside* the
worker would cost, since student code can switch off anything that runs in
its own process.  This script measures one such option on the machine it runs
on; it is a measurement, not part of the grader (nothing imports it).

What it does: start a Python child that imports torch (a stand-in for a warm
worker), seize every thread of it with ptrace (PTRACE_O_TRACECLONE, so threads
started later are traced too), and write an int3 over the entry point
``at::_ops::<op>::call`` and ``::redispatch`` of every overload of every
``aten::`` name in the ``banned`` lists of grader/checks/*/rubric.toml (hw1
and hw2 together).  A hit is recorded by the parent, which then either steps
the thread over the original instruction and re-arms the breakpoint ("rearm"),
or leaves it disarmed until the end of the call ("one-shot": one hit per
banned operator per call is all a verdict needs).

Figures (medians over --runs fresh children, three rounds of attach/detach each):

* symbol resolution: reading the .so's dynamic symbols and torch's operator
  schemas (once per torch install; could be cached);
* attach + set-up per worker: seize, stop every thread, write the int3s,
  continue;
* per call: an honest from-scratch softmax (no banned operator) and
  ``torch.softmax`` (banned), untraced and traced, in both modes;
* what a student can still do: the child finds the int3s in its own code and
  writes the .so's bytes from disk back over them (mprotect + memmove; no hit
  seen), and calls the CPU kernel ``at::cpu::_softmax`` below the entry points
  through ctypes (no hit seen, and no RecordFunction either).  Both work
  inside today's box too (mprotect to read-write-execute on libtorch's code
  is allowed there).

Linux x86_64 only; needs ``nm`` (binutils) and the right to ptrace its own
child (root, or Yama ptrace_scope <= 1).  Run from the repository root:

    .venv/bin/python scripts/measure_ptrace_watch.py [--runs 7] [--calls 1000]
"""
import argparse
import ctypes
import fnmatch
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = sorted((ROOT / "grader" / "checks").glob("*/rubric.toml"))

# ptrace(2) requests and options (linux/ptrace.h), x86_64.
PTRACE_CONT, PTRACE_SINGLESTEP, PTRACE_DETACH = 7, 9, 17
PTRACE_GETREGS, PTRACE_SETREGS = 12, 13
PTRACE_SEIZE, PTRACE_INTERRUPT = 0x4206, 0x4207
PTRACE_O_TRACECLONE = 0x8
PTRACE_EVENT_CLONE, PTRACE_EVENT_STOP = 3, 128
RIP_INDEX = 16                      # position of rip in struct user_regs_struct
INT3 = b"\xcc"
DONE_SIGNAL = signal.SIGUSR2        # the child's "call finished" marker
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


class Regs(ctypes.Structure):
    _fields_ = [("r", ctypes.c_ulonglong * 27)]


def ptrace(request, tid, addr=0, data=0):
    """ptrace(2), raising OSError with the request and thread on failure."""
    if libc.ptrace(request, tid, addr, data) == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"ptrace({request}, {tid}): {os.strerror(err)}")


# ---------------------------------------------------------------- the child

CHILD = r'''
import ctypes, os, signal, sys, threading, time
import torch
torch.set_num_threads(1)        # one operator thread: per-call figures without pool noise
signal.signal(signal.SIGUSR2, signal.SIG_IGN)   # reported to a tracer only
LIB = os.path.realpath(torch.__path__[0] + "/lib/libtorch_cpu.so")
lib = ctypes.CDLL(LIB)

def honest(x):
    e = (x - x.max(dim=1, keepdim=True).values).exp()
    return e / e.sum(dim=1, keepdim=True)

def banned(x):
    return torch.softmax(x, dim=1)

def restore_int3s(listing):
    """What a student can do: find every int3 over an at::_ops entry point and
    put back the .so's own byte (read from the file on disk), through mprotect
    (the box denies writing /proc/self/mem, not mprotect)."""
    libc = ctypes.CDLL(None, use_errno=True)
    maps = []
    for line in open("/proc/self/maps"):
        span, perms, offset, _, _, *path = line.split()
        if path and path[0] == LIB:
            start, end = (int(v, 16) for v in span.split("-"))
            maps.append((start, end, int(offset, 16)))
    restored = 0
    with open(LIB, "rb") as so:
        for symbol in open(listing).read().split():
            address = ctypes.cast(getattr(lib, symbol), ctypes.c_void_p).value
            if ctypes.string_at(address, 1) != b"\xcc":
                continue
            start, _, offset = next(m for m in maps if m[0] <= address < m[1])
            so.seek(address - start + offset)
            page = ctypes.c_void_p(address & ~4095)
            assert libc.mprotect(page, 4096, 7) == 0          # read, write, execute
            ctypes.memmove(address, so.read(1), 1)
            assert libc.mprotect(page, 4096, 5) == 0          # read, execute
            restored += 1
    return restored

class Tensor(ctypes.Structure):      # at::Tensor is one intrusive pointer
    _fields_ = [("impl", ctypes.c_void_p)]

def below_entry_points(x):
    """at::cpu::_softmax(const Tensor&, int64_t, bool), reached through ctypes."""
    kernel = lib._ZN2at3cpu8_softmaxERKNS_6TensorElb
    kernel.restype, kernel.argtypes = None, [ctypes.c_void_p, ctypes.c_void_p,
                                             ctypes.c_long, ctypes.c_bool]
    out, arg = Tensor(), Tensor(x._cdata)     # _cdata: the TensorImpl pointer
    kernel(ctypes.byref(out), ctypes.byref(arg), 1, False)   # sret first
    capsule = ctypes.pythonapi.PyCapsule_New
    capsule.restype, capsule.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p,
                                                           ctypes.c_void_p]
    return torch._C._wrap_tensor_impl(capsule(out.impl, None, None))

def in_a_new_thread(x):
    """A banned call from a thread started after the tracer attached."""
    out = []
    worker = threading.Thread(target=lambda: out.append(banned(x)))
    worker.start()
    worker.join()
    return out[0]

x = torch.randn(64, 10)
for f in (honest, banned):
    f(x)
print("ready", flush=True)
for line in sys.stdin:
    what, n = line.split()
    if what == "restore":
        print("restored", restore_int3s(n), flush=True)
        continue
    f = {"honest": honest, "banned": banned, "bypass": below_entry_points,
         "thread": in_a_new_thread}[what]
    start = time.perf_counter()
    for _ in range(int(n)):
        y = f(x)
    elapsed = time.perf_counter() - start
    ok = bool(torch.allclose(y, honest(x)))
    os.kill(os.getpid(), signal.SIGUSR2)
    print(elapsed, ok, flush=True)
'''


class Child:
    """The watched process: runs a workload on request, says how long it took."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.proc.stdout.readline().strip() == "ready"
        self.pid = self.proc.pid
        self.attached_before = False     # the first attach pays for copying code pages

    def send(self, what, n):
        self.proc.stdin.write(f"{what} {n}\n")

    def answer(self):
        return self.proc.stdout.readline().split()


# ---------------------------------------------------------- the breakpoints

def banned_operator_patterns() -> list[str]:
    """Every ``aten::`` name (or glob) banned by any component of hw1 and hw2."""
    names = set()
    for rubric in RUBRICS:
        data = tomllib.loads(rubric.read_text())
        for component in data.get("components", {}).values():
            names.update(n for n in component.get("banned", []) if n.startswith("aten::"))
    return sorted(names)


def op_structs(patterns) -> set[str]:
    """``at::_ops`` struct names of every overload matching a banned name."""
    import torch
    structs = set()
    for schema in torch._C._jit_get_all_schemas():
        if any(fnmatch.fnmatchcase(schema.name, p) for p in patterns):
            base = schema.name.split("::", 1)[1]
            structs.add(base + ("_" + schema.overload_name if schema.overload_name else ""))
    return structs


ENTRY = re.compile(r"^([0-9a-f]+) T (_ZN2at4_ops(\d+)(\w+))$")


def entry_points(library: Path, structs) -> dict[int, str]:
    """Offset in the .so -> name, for ``::call`` and ``::redispatch`` of each struct."""
    listing = subprocess.run(["nm", "-D", "--defined-only", str(library)], check=True,
                             capture_output=True, text=True).stdout
    found = {}
    for line in listing.splitlines():
        match = ENTRY.match(line)
        if not match:
            continue
        length, rest = int(match[3]), match[4]
        struct, tail = rest[:length], rest[length:]
        if struct in structs and (tail.startswith("4callE") or tail.startswith("10redispatchE")):
            found[int(match[1], 16)] = f"{struct}::{tail.split('E')[0].lstrip('0123456789')}"
    return found


def load_bias(pid: int, library: Path) -> int:
    """Where the .so's offset 0 is mapped in that process."""
    for line in open(f"/proc/{pid}/maps"):
        fields = line.split()
        if len(fields) >= 6 and fields[5] == str(library) and int(fields[2], 16) == 0:
            return int(fields[0].split("-")[0], 16)
    raise RuntimeError(f"{library} is not mapped in {pid}")


# --------------------------------------------------------------- the tracer

class Tracer:
    """Seizes every thread of a process and counts int3 hits on given addresses."""

    def __init__(self, pid, offsets: dict[int, str], library: Path, one_shot: bool):
        self.pid, self.one_shot = pid, one_shot
        self.threads: set[int] = set()
        bias = load_bias(pid, library)
        self.names = {bias + off: name for off, name in offsets.items()}
        self.original: dict[int, bytes] = {}
        self.disarmed: set[int] = set()
        self.hits: dict[str, int] = {}
        self.mem = None

    def attach(self):
        for tid in map(int, os.listdir(f"/proc/{self.pid}/task")):
            ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACECLONE)
            ptrace(PTRACE_INTERRUPT, tid)
            self.threads.add(tid)
        for tid in self.threads:
            os.waitpid(tid, WALL)
        self.mem = os.open(f"/proc/{self.pid}/mem", os.O_RDWR)
        for address in self.names:
            self.original[address] = os.pread(self.mem, 1, address)
            os.pwrite(self.mem, INT3, address)
        for tid in self.threads:
            ptrace(PTRACE_CONT, tid)

    def detach(self):
        """Stop every thread, put the original bytes back, let the process go."""
        for tid in self.threads:
            ptrace(PTRACE_INTERRUPT, tid)
        for tid in self.threads:
            os.waitpid(tid, WALL)
        for address, byte in self.original.items():
            os.pwrite(self.mem, byte, address)
        os.close(self.mem)
        for tid in self.threads:
            ptrace(PTRACE_DETACH, tid)
        self.threads.clear()

    def rearm(self):
        """Re-arm one-shot breakpoints (the child is stopped between calls)."""
        for address in self.disarmed:
            os.pwrite(self.mem, INT3, address)
        self.disarmed.clear()

    def run_until_done(self):
        """Serve stops until the child signals the end of its call."""
        while True:
            tid, status = os.waitpid(-1, WALL)
            if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                self.threads.discard(tid)
                if tid == self.pid:
                    raise RuntimeError(f"the child ended: status {status:#x}")
                continue
            sig, event = os.WSTOPSIG(status), status >> 16
            if event == PTRACE_EVENT_CLONE:      # the new thread reports its own stop
                ptrace(PTRACE_CONT, tid)
            elif event == PTRACE_EVENT_STOP:     # a new thread, traced from its start
                self.threads.add(tid)
                ptrace(PTRACE_CONT, tid)
            elif sig == signal.SIGTRAP and self._on_breakpoint(tid):
                pass
            elif sig == DONE_SIGNAL:
                if self.one_shot:
                    self.rearm()
                ptrace(PTRACE_CONT, tid)
                return
            else:
                ptrace(PTRACE_CONT, tid, 0, sig)

    def _on_breakpoint(self, tid) -> bool:
        regs = Regs()
        ptrace(PTRACE_GETREGS, tid, 0, ctypes.addressof(regs))
        address = regs.r[RIP_INDEX] - 1
        if address not in self.names:
            return False
        name = self.names[address]
        self.hits[name] = self.hits.get(name, 0) + 1
        os.pwrite(self.mem, self.original[address], address)
        regs.r[RIP_INDEX] = address
        ptrace(PTRACE_SETREGS, tid, 0, ctypes.addressof(regs))
        if self.one_shot:
            self.disarmed.add(address)
        else:
            # Step over the original instruction, then put the int3 back.  Other
            # threads running through this address meanwhile are not seen.
            ptrace(PTRACE_SINGLESTEP, tid)
            os.waitpid(tid, WALL)
            os.pwrite(self.mem, INT3, address)
        ptrace(PTRACE_CONT, tid)
        return True


# ------------------------------------------------------------- measurements

def timed_call(child, tracer, what, n):
    """Seconds per call as the child measured them (the tracer serving its stops)."""
    child.send(what, n)
    if tracer:
        tracer.run_until_done()
    elapsed, ok = child.answer()
    return float(elapsed) / n, ok == "True"


def traced_child(offsets, library, one_shot):
    """A fresh child with the breakpoints set."""
    child = Child()
    tracer = Tracer(child.pid, offsets, library, one_shot)
    tracer.attach()
    return child, tracer


def stop(child):
    """Kill the child and reap it: its traced threads first (they are ours to reap)."""
    child.proc.kill()
    while True:
        pid, status = os.waitpid(-1, WALL)
        if pid == child.pid and (os.WIFEXITED(status) or os.WIFSIGNALED(status)):
            child.proc.returncode = -signal.SIGKILL
            return


def one_run(offsets, library, calls, rows, rounds=3):
    """In one child, rounds of: untraced; traced with re-armed breakpoints;
    traced one-shot (attaching and detaching each time), so that untraced and
    traced figures come from the same process and the same minutes."""
    child = Child()
    hits = {}
    for _ in range(rounds):
        rows["honest untraced"].append(timed_call(child, None, "honest", calls)[0])
        rows["banned untraced"].append(timed_call(child, None, "banned", calls)[0])
        rows["banned untraced, one call at a time"].append(statistics.median(
            timed_call(child, None, "banned", 1)[0] for _ in range(max(1, calls // 10))))

        tracer = attached(child, offsets, library, one_shot=False, rows=rows)
        rows["honest traced"].append(timed_call(child, tracer, "honest", calls)[0])
        assert not tracer.hits, f"an honest call hit {tracer.hits}"
        rows["banned traced, rearm"].append(timed_call(child, tracer, "banned", calls)[0])
        hits = {name: count / calls for name, count in tracer.hits.items()}
        tracer.detach()

        tracer = attached(child, offsets, library, one_shot=True, rows=rows)
        rows["banned traced, one-shot, one call at a time"].append(statistics.median(
            timed_call(child, tracer, "banned", 1)[0] for _ in range(max(1, calls // 10))))
        tracer.detach()
    stop(child)
    return hits


def attached(child, offsets, library, one_shot, rows):
    """Attach to a running child, timing the set-up."""
    tracer = Tracer(child.pid, offsets, library, one_shot)
    start = time.perf_counter()
    tracer.attach()
    rows["attach + set-up, " + ("again" if child.attached_before else "fresh process")].append(
        time.perf_counter() - start)
    child.attached_before = True
    rows["threads seized"].append(len(tracer.threads))
    return tracer


def evasions(offsets, library):
    """Two things a student can do under the tracer, and whether it saw them."""
    child, tracer = traced_child(offsets, library, one_shot=False)
    out = {}
    _, correct = timed_call(child, tracer, "bypass", 1)
    out["at::cpu::_softmax through ctypes: correct result"] = correct
    out["at::cpu::_softmax through ctypes: hits seen"] = sum(tracer.hits.values())
    tracer.hits.clear()
    timed_call(child, tracer, "thread", 1)
    out["torch.softmax in a thread started after attaching: hits seen"] = sum(
        tracer.hits.values())
    tracer.hits.clear()
    listing = Path(f"/tmp/ptrace_watch_symbols.{os.getpid()}")
    listing.write_text("\n".join(s for s in dynamic_symbols(library)
                                  if s.startswith("_ZN2at4_ops")))
    child.send("restore", listing)
    out["int3s found and restored from the .so on disk"] = int(child.answer()[1])
    listing.unlink()
    timed_call(child, tracer, "banned", 1)
    out["torch.softmax after restoring: hits seen"] = sum(tracer.hits.values())
    stop(child)
    return out


def dynamic_symbols(library):
    """Names of the functions the .so exports (what a student can list too)."""
    listing = subprocess.run(["nm", "-D", "--defined-only", str(library)], check=True,
                             capture_output=True, text=True).stdout
    return [line.split()[-1] for line in listing.splitlines() if " T " in line]


def measure(runs, calls):
    import torch
    library = (Path(torch.__file__).parent / "lib" / "libtorch_cpu.so").resolve()
    start = time.perf_counter()
    patterns = banned_operator_patterns()
    offsets = entry_points(library, op_structs(patterns))
    resolve_s = time.perf_counter() - start

    rows = {k: [] for k in ("attach + set-up, fresh process", "attach + set-up, again",
                            "threads seized", "honest untraced", "honest traced",
                            "banned untraced", "banned traced, rearm",
                            "banned untraced, one call at a time",
                            "banned traced, one-shot, one call at a time")}
    hits = {}
    for _ in range(runs):
        hits = one_run(offsets, library, calls, rows)
    median = {k: statistics.median(v) for k, v in rows.items()}
    per_call_hits = sum(hits.values())
    return {
        "torch": torch.__version__,
        "banned aten names, hw1 + hw2": len(patterns),
        "entry points with an int3 (call + redispatch)": len(offsets),
        "symbol resolution s, once per torch install": round(resolve_s, 3),
        "runs": runs, "calls per run": calls,
        "attach + set-up ms, fresh process (per worker)": round(
            1e3 * median.pop("attach + set-up, fresh process"), 2),
        "attach + set-up ms, same process again": round(
            1e3 * median.pop("attach + set-up, again"), 2),
        "threads seized at attach": int(median.pop("threads seized")),
        "us per call": {k: round(1e6 * v, 1) for k, v in median.items()},
        "hits per torch.softmax call": hits,
        "us per hit, rearm": round(1e6 * (median["banned traced, rearm"]
                                          - median["banned untraced"]) / (per_call_hits or 1), 1),
        "evasions": evasions(offsets, library),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.calls), indent=2))


if __name__ == "__main__":
    main()
