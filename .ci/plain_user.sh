#!/usr/bin/env bash
# Best effort, as root: an ordinary user with subordinate ids and a Python it can run
# with the project's packages, so that the ordinary-user box tests
# (tests/test_user_boxes.py: its workers are subordinate uids, they die with the
# grader) run in CI instead of being skipped.  Prints the export line for those tests
# on stdout, or nothing if anything is missing (they then skip, saying why).
# Run from the repository root after `make install`.
set -uo pipefail
USER_NAME=gradeuser
RANGE=100000-165535
[ "$(id -u)" = 0 ] || exit 0
[ -x .venv/bin/python ] || exit 0
say() { echo "plain-user set-up: $*" >&2; }

if ! command -v newuidmap >/dev/null; then
    timeout 180 apt-get install -y -q --no-install-recommends uidmap >/dev/null 2>&1 \
        || { timeout 180 apt-get update -q >/dev/null 2>&1 \
             && timeout 180 apt-get install -y -q --no-install-recommends uidmap >/dev/null 2>&1; } \
        || { say "no newuidmap (apt-get install uidmap failed)"; exit 0; }
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd -m "$USER_NAME" || { say "useradd failed"; exit 0; }
grep -q "^$USER_NAME:" /etc/subuid 2>/dev/null || usermod --add-subuids "$RANGE" "$USER_NAME" \
    || { say "no subordinate uids"; exit 0; }
grep -q "^$USER_NAME:" /etc/subgid 2>/dev/null || usermod --add-subgids "$RANGE" "$USER_NAME" \
    || { say "no subordinate gids"; exit 0; }

# The project's Python may live where the user cannot go (pyenv under /root): a venv of
# the system's Python of the same version whose site-packages is the project's (a link:
# the box shows a venv's own site-packages, not folders a .pth file adds).
VERSION=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
SYSTEM_PYTHON=""
for candidate in "/usr/bin/python$VERSION" "/usr/local/bin/python$VERSION"; do
    [ -x "$candidate" ] && { SYSTEM_PYTHON=$candidate; break; }
done
[ -n "$SYSTEM_PYTHON" ] || { say "no python$VERSION in /usr/bin or /usr/local/bin"; exit 0; }
HOME_DIR=$(getent passwd "$USER_NAME" | cut -d: -f6)
VENV="$HOME_DIR/grader-ci-venv"
[ -x "$VENV/bin/python" ] || runuser -u "$USER_NAME" -- "$SYSTEM_PYTHON" -m venv --without-pip "$VENV" \
    || { say "could not make $VENV"; exit 0; }
rm -rf "$VENV/lib/python$VERSION/site-packages"
ln -s "$SITE" "$VENV/lib/python$VERSION/site-packages"
# The user must reach the checkout: let it pass through (not list) the folders above it
# (a CI checkout often sits in a 0700 temporary folder).
folder=$(pwd)
while [ "$folder" != / ]; do
    [ -O "$folder" ] && chmod o+x "$folder"
    folder=$(dirname "$folder")
done
if ! runuser -u "$USER_NAME" -- "$VENV/bin/python" -c "import torch, hypothesis, grader.cli" \
        >/dev/null 2>&1; then
    say "$USER_NAME cannot import the grader from $(pwd) (a folder it may not enter?)"
    exit 0
fi
echo "export GRADER_TEST_USER=$USER_NAME GRADER_TEST_USER_PYTHON=$VENV/bin/python"
