#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It needs a Python the grader supports (3.11+; Gradescope's Ubuntu 22.04
# image has 3.10), the CPU build of torch (no GPU there) and the pinned
# requirements, in a virtualenv at /autograder/venv.
#   GRADER_TORCH     the torch requirement (default: the CPU build, pinned)
#   AUTOGRADER_ROOT  where Gradescope's /autograder is (tests use a temporary folder)
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
TORCH="${GRADER_TORCH:-@TORCH@ --index-url @CPU_INDEX@}"

supported() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null && supported "$candidate"; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

if ! PYTHON=$(find_python); then
    echo "setup.sh: no Python 3.11+ here; installing python3.11 with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    if ! apt-get install -y -q python3.11 python3.11-venv; then
        # Ubuntu 22.04 without python3.11 in its lists: the deadsnakes archive has it
        apt-get install -y -q software-properties-common
        add-apt-repository -y ppa:deadsnakes/ppa
        apt-get update -q
        apt-get install -y -q python3.11 python3.11-venv
    fi
    PYTHON=$(find_python) || { echo "setup.sh: still no Python 3.11+; giving up" >&2; exit 1; }
fi
echo "setup.sh: using $PYTHON ($("$PYTHON" --version))"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $TORCH
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SOURCE/requirements.txt"
(cd "$SOURCE" && "$VENV/bin/python" -c "import torch, grader")
echo "setup.sh: ready"
