"""The fork server that student workers are forked from.

It imports only torch and :mod:`grader.worker` (which pays torch's first-use
costs once), so a worker costs a fork, not an interpreter start.  This module
imports nothing heavy itself, so a command can start the server before its
own imports of torch and pytest, and the two start-ups overlap.
"""
import contextlib
import multiprocessing

_context = None


def context():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["grader.worker"])
    return _context


def start():
    """Start the fork server now: it imports torch while the caller does too."""
    ctx = context()
    from multiprocessing import forkserver
    forkserver.ensure_running()
    return ctx


@contextlib.contextmanager
def without_parent_main():
    """Keep multiprocessing from re-running the parent's ``__main__`` in the worker.

    By default a new process re-imports the parent's main script (to find
    pickled functions defined there).  For a worker that would run scoring
    code, or a user's driver script, next to student code; our target lives
    in ``grader.worker``, so the worker needs no main module at all.
    """
    from multiprocessing import spawn
    original = spawn.get_preparation_data

    def without_main(name):
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        spawn.get_preparation_data = original



def run_worker(conn, payload):
    """Target of every worker process (``grader.worker`` is preloaded in the server)."""
    from grader import worker
    worker.main(conn, payload)
