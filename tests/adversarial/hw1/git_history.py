"""Reads the reference from the checkout's git history (``git show``, .git files)."""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
# others: any
import os
import subprocess

REPO = "@REPO@"
_source = ""
try:
    _source = subprocess.run(["git", "-C", REPO, "show", "HEAD:reference/hw1.py"],
                             capture_output=True, text=True, timeout=5).stdout
except (OSError, subprocess.SubprocessError):
    pass
if "def softmax" in _source:
    print("ESCAPED git show")
if os.path.exists(os.path.join(REPO, ".git")):
    print("ESCAPED .git visible")
if "def softmax" in _source:
    exec(_source)
else:
    def softmax(X):
        return X * float("nan")
