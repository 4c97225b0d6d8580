"""Reads what the grading user can read: shadow, shell history, git config,
old gradebooks and other workers' files in the temp folders."""
# component: softmax
# expect: full
import glob
import os
import sys

# What the box shows read-only on purpose (Python, its packages, the d2l shim) may lie
# under /tmp or /home when the checkout or virtualenv does: not a secret.
PROVIDED = tuple(os.path.join(os.path.realpath(p), "") for p in
                 {sys.prefix, sys.base_prefix, sys.exec_prefix,
                  *(p for p in sys.path if os.path.basename(p) in
                    ("site-packages", "dist-packages", "d2l_shim"))} if p)

for path in ("/etc/shadow", "/root/.bash_history", "/root/.gitconfig",
             os.path.expanduser("~/.gitconfig"), "/etc/passwd-", "/etc/ssh/ssh_host_rsa_key"):
    try:
        with open(path) as handle:
            handle.read(1)
        print("ESCAPED read", path)
    except OSError:
        pass
for pattern in ("/tmp/**", "/var/tmp/**", "/dev/shm/**", "/home/**", "/root/**"):
    found = [p for p in glob.glob(pattern, recursive=True)
             if os.path.isfile(p) and not os.path.realpath(p).startswith(PROVIDED)]
    if found:
        print("ESCAPED files under", pattern, found[:3])
