#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12 that has only Python 3.11 and pip: a clean clone of this
# checkout's HEAD in a new root made with debootstrap, `./scripts/demo` there as root (the bootstrap installs
# the Debian packages itself), its window on an X server (Xvfb on this machine, socket shared into the root),
# then the window smoke test there through `./scripts/test`. Saves the screen to docs/demo-clean-debian.png.
# Needs root, debootstrap and Xvfb + xdotool on this machine; nothing is removed from this machine.
#   bash packaging/clean_debian_check.sh [WORK_DIR]     (default build/clean-debian)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source packaging/clean_root.sh
clean_root_setup "${1:-build/clean-debian}"
git clone -q "$repo" "$root/root/reach-studio"
git -C "$root/root/reach-studio" checkout -q "$(git rev-parse HEAD)"

echo "clean-check: Debian packages of system_packages.txt present before: $(
  chroot "$root" dpkg-query -W -f='${Package}\n' $(awk '!/^#/ && NF >= 2 {print $1}' reach_studio/system_packages.txt) 2>/dev/null \
    | tr '\n' ' ')"

echo "clean-check: ./scripts/demo in the clean root on DISPLAY=$display (log: $work/demo.log)"
start=$(date +%s)
in_root 'cd /root/reach-studio && REACH_STUDIO_READY_PROBE=1 ./scripts/demo' > "$work/demo.log" 2>&1 &
app_pid=$!
# bootstrap (apt + pip) first, then the window and the queue; polled, bounded, and stopped if the demo dies
wait_for 900 "window" "$work/demo.log" env DISPLAY="$display" xdotool search --onlyvisible --name '^Reach Studio$'
echo "clean-check: window mapped $(( $(date +%s) - start )) s after ./scripts/demo started (bootstrap included)"
wait_for 300 "queue" "$work/demo.log" grep -q '^QUEUE ' "$work/demo.log"
grep -E '^(bootstrap|WINDOW|QUEUE)' "$work/demo.log"
"$repo/.venv/bin/python" tests/desktop/xserver.py shot "$work/fb/Xvfb_screen0" docs/demo-clean-debian.png

echo "clean-check: reach-studio doctor in the clean root"
in_root 'cd /root/reach-studio && .venv/bin/reach-studio doctor 2>/dev/null' || true
kill "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=

echo "clean-check: the window smoke test through ./scripts/test in the clean root"
in_root 'cd /root/reach-studio && CI=true ./scripts/test tests/desktop -q -p no:cacheprovider' 2>&1 | tail -n 5
