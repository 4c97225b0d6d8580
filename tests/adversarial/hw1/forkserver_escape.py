"""Asks a fork server (the grader's, or any multiprocessing one on the machine)
for a process outside the jail; that process would leave a marker file behind.

Fork servers listen on Unix sockets under the temp folders and fork whatever
a client sends them, so the worker must not see any socket there.  The test
keeps a listener of its own in the host's /tmp (``@SOCKET@``), so there is
always at least one socket to try.
"""
# component: softmax
# expect: full
import glob
import os
import socket
import stat
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
sockets = [path for folder in ("/tmp", "/var/tmp", "/dev/shm")
           for path in glob.glob(f"{folder}/**", recursive=True)
           if os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)]
sockets.append("@SOCKET@")   # a listener the test keeps on the host: it must stay out of reach
for path in sockets:  # the grader's own fork server speaks another protocol: connecting is enough
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
            reached += 1
    except OSError:
        pass
print(f"reached {reached} of {len(addresses) + len(sockets)} fork server(s)")
