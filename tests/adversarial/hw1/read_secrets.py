"""Reads what the grading user can read: shadow, shell history, git config,
old gradebooks and other workers' files in the temp folders."""
# component: softmax
# expect: full
import glob
import os

for path in ("/etc/shadow", "/root/.bash_history", "/root/.gitconfig",
             os.path.expanduser("~/.gitconfig"), "/etc/passwd-", "/etc/ssh/ssh_host_rsa_key"):
    try:
        with open(path) as handle:
            handle.read(1)
        print("ESCAPED read", path)
    except OSError:
        pass
for pattern in ("/tmp/**", "/var/tmp/**", "/dev/shm/**", "/home/**", "/root/**"):
    found = [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    if found:
        print("ESCAPED files under", pattern, found[:3])
