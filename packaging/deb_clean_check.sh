#!/usr/bin/env bash
# Installs dist/reach-studio_*.deb (bash packaging/build.sh) into a fresh Debian 12 root (debootstrap; apt
# fetches the Depends from the Debian mirror, nothing else), then there: `reach-studio --version`, `doctor`,
# `sync --demo --once --json`, the menu entry and icon, and the GUI (`reach-studio demo`) on an X server to a
# screenshot in docs/deb-clean-debian.png. Prints the installed size and the launch-to-window time of the
# frozen app next to the source run's (this checkout's .venv, same X server, same machine, same minute).
#   bash packaging/deb_clean_check.sh [WORK_DIR]     (default build/deb-clean)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
RUNS=${RUNS:-3}
deb=$(ls -t dist/reach-studio_*.deb | head -1)
source packaging/clean_root.sh
clean_root_setup "${1:-build/deb-clean}"
cp "$deb" "$root/tmp/"

before_kib=$(du -sxk "$root" | cut -f1)
echo "deb-check: apt-get install ./$(basename "$deb") in a fresh Debian 12 root"
in_root "apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends /tmp/$(basename "$deb")" \
  > "$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log"; exit 1; }
in_root 'apt-get clean && rm -rf /var/lib/apt/lists/*'  # downloads and package lists are not "installed"
after_kib=$(du -sxk "$root" | cut -f1)

echo "deb-check: $(in_root 'command -v reach-studio') -> $(in_root 'reach-studio --version')"
in_root 'test -f /usr/share/applications/reach-studio.desktop && test -f /usr/share/icons/hicolor/256x256/apps/reach-studio.png \
  && test -f /usr/share/metainfo/io.github.reach_studio.ReachStudio.metainfo.xml' && echo "deb-check: menu entry, icon, AppStream metadata installed"
echo "deb-check: reach-studio doctor"
in_root 'reach-studio doctor 2>/dev/null' || true
echo "deb-check: reach-studio sync --demo --once --json"
in_root 'REACH_STUDIO_HOME=/tmp/sync-home reach-studio sync --demo --once --json 2>/dev/null' > "$work/sync.json"
python3 - "$work/sync.json" <<'EOF'
import json, sys
data = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert data["tasks"] and all(a["ok"] for a in data["accounts"]), data
print(f"deb-check: sync --json: {len(data['tasks'])} tasks in the fair queue, {len(data['claimed'])} claimed, "
      f"accounts ok: {[a['account'] for a in data['accounts']]}")
EOF

echo "deb-check: the GUI on DISPLAY=$display"
in_root 'REACH_STUDIO_HOME=/tmp/gui-home REACH_STUDIO_READY_PROBE=1 reach-studio demo' > "$work/demo.log" 2>&1 &
app_pid=$!
wait_for 300 "window" "$work/demo.log" env DISPLAY="$display" xdotool search --onlyvisible --name '^Reach Studio$'
wait_for 300 "queue" "$work/demo.log" grep -q '^QUEUE ' "$work/demo.log"
"$repo/.venv/bin/python" tests/desktop/xserver.py shot "$work/fb/Xvfb_screen0" docs/deb-clean-debian.png
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=

# Launch to window: from just before exec to the first event-loop turn with the main window shown
# (REACH_STUDIO_READY_PROBE prints "WINDOW <time>"), fresh settings each run, sign-in dialog not waited for.
window_ms() {  # LABEL COMMAND (run with bash -c; prints START and the app's WINDOW line)
  local log=$work/launch.log
  bash -c "$2" > "$log" 2>&1 &
  app_pid=$!
  wait_for 120 "window ($1)" "$log" grep -q '^WINDOW ' "$log"
  kill "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null || true; app_pid=
  awk '/^START /{s=$2} /^WINDOW /{w=$2} END{printf "%d\n", (w - s) * 1000}' "$log"
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
# Baseline in the same minute: a bare PySide6 window from the same .venv (what this machine's load costs
# any Qt app before Reach Studio does anything).
bare='import time; from PySide6.QtCore import QTimer; from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1200, 720); w.show()
QTimer.singleShot(0, lambda: print(f"WINDOW {time.time():.6f}", flush=True)); app.exec()'
frozen=() source_run=() bare_qt=()
for i in $(seq "$RUNS"); do
  frozen+=("$(window_ms frozen "chroot '$root' env -i HOME=/root PATH=/usr/bin:/bin DISPLAY=$display REACH_STUDIO_HOME=/tmp/launch-$i \
    REACH_STUDIO_READY_PROBE=1 PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
    bash -c 'echo START \$(date +%s.%N); exec reach-studio gui'")")
  home=$(mktemp -d)
  source_run+=("$(window_ms source "cd '$repo' && echo START \$(date +%s.%N) && DISPLAY=$display REACH_STUDIO_HOME=$home \
    REACH_STUDIO_READY_PROBE=1 PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring exec .venv/bin/reach-studio gui")")
  rm -rf "$home"
  bare_qt+=("$(window_ms bare "cd '$repo' && echo START \$(date +%s.%N) && DISPLAY=$display exec .venv/bin/python -c '$bare'")")
done

installed_kib=$(in_root "dpkg-query -W -f='\${Installed-Size}' reach-studio")
echo
echo "                               frozen (.deb)           source (.venv)"
printf 'installed size                 %-23s %s\n' "$(( installed_kib / 1024 )) MB (/opt/reach-studio)" \
  "$(du -sm "$repo/.venv" | cut -f1) MB (.venv)"
printf '  + Debian packages it pulled  %-23s %s\n' "$(( (after_kib - before_kib - installed_kib) / 1024 )) MB (Depends, ffmpeg's included)" \
  "(same X/media libraries, from bootstrap)"
printf 'launch to window, median of %s %-23s %s\n' "$RUNS" "$(printf '%s\n' "${frozen[@]}" | median) ms (${frozen[*]})" \
  "$(printf '%s\n' "${source_run[@]}" | median) ms (${source_run[*]})"
printf 'bare PySide6 window (baseline) %-23s %s\n' "" "$(printf '%s\n' "${bare_qt[@]}" | median) ms (${bare_qt[*]})"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; targets: <= 250 MB installed, <= 2000 ms"
