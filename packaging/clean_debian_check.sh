#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12 that has only Python 3.11 and pip: a clean clone of this
# checkout's HEAD in a new root made with debootstrap, `./scripts/demo` there as root (the bootstrap installs
# the Debian packages itself), its window on an X server (Xvfb on this machine, socket shared into the root),
# then the window smoke test there through `./scripts/test`. Saves the screen to docs/demo-clean-debian.png.
# Needs root, debootstrap and Xvfb + xdotool on this machine; nothing is removed from this machine.
#   bash packaging/clean_debian_check.sh [ROOT_DIR]     (default build/clean-debian)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(realpath -m "${1:-build/clean-debian}")
root=$work/root
base=$work/base.tar
mkdir -p "$work"

# the Debian mirror apt already uses here (no other network)
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | grep -oE '^[[:space:]]*(URIs:|deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' | awk '{print $2}' | head -1 || true)
[ -n "$mirror" ] || { echo "clean-check: no Debian mirror in /etc/apt/sources.list*" >&2; exit 1; }
if [ ! -f "$base" ]; then
  echo "clean-check: debootstrap bookworm (minbase + python3, venv, pip) from $mirror"
  rm -rf "$work/base"
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$work/base" "$mirror" > "$work/debootstrap.log"
  tar -C "$work/base" -cf "$base" . && rm -rf "$work/base"
fi

cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  for m in tmp/.X11-unix opt/pypi-more opt/pypi opt/wheels dev/pts dev sys proc; do
    mountpoint -q "$root/$m" && umount -l "$root/$m"
  done
  return 0
}
trap cleanup EXIT
cleanup
if grep -q " $root/" /proc/mounts; then echo "clean-check: something is still mounted under $root" >&2; exit 1; fi
rm -rf --one-file-system "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
# This machine's network set-up, as any machine of its kind has it: DNS, its CA bundle, pip's config.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
python3 -m pip config list 2>/dev/null | sed -n "s/^global\.\([a-z-]*\)='\(.*\)'$/\1 = \2/p" \
  | { echo "[global]"; cat; } > "$root/etc/pip.conf"
for d in /opt/wheels /opt/pypi /opt/pypi-more /etc/xdg/pip; do
  [ -d "$d" ] || continue
  mkdir -p "$root$d"
  case $d in /etc/*) cp -r "$d/." "$root$d/" ;; *) mount --bind -o ro "$d" "$root$d" ;; esac
done
git clone -q "$repo" "$root/root/reach-studio"
git -C "$root/root/reach-studio" checkout -q "$(git rev-parse HEAD)"

echo "clean-check: Debian packages of system_packages.txt present before: $(
  chroot "$root" dpkg-query -W -f='${Package}\n' $(awk '!/^#/ && NF >= 2 {print $1}' reach_studio/system_packages.txt) 2>/dev/null \
    | tr '\n' ' ')"

# The desktop's X server: Xvfb here, its socket shared into the root.
mkdir -p "$work/fb" "$root/tmp/.X11-unix"
exec {dfd}> "$work/display"
Xvfb -displayfd "$dfd" -screen 0 1280x800x24 -fbdir "$work/fb" -nolisten tcp 2> "$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do grep -q . "$work/display" && break; sleep 0.1; done
display=":$(tr -d '\n' < "$work/display")"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"

echo "clean-check: ./scripts/demo in the clean root on DISPLAY=$display (log: $work/demo.log)"
start=$(date +%s)
chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DISPLAY="$display" \
  REACH_STUDIO_READY_PROBE=1 PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
  bash -c 'cd /root/reach-studio && ./scripts/demo' > "$work/demo.log" 2>&1 &
app_pid=$!
# bootstrap (apt + pip) first, then the window and the queue; polled, bounded, and stopped if the demo dies
wait_for() {  # SECONDS DESCRIPTION COMMAND...
  local until=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" > /dev/null 2>&1; do
    kill -0 "$app_pid" 2>/dev/null || { tail -n 30 "$work/demo.log"; echo "clean-check: demo exited before $what" >&2; exit 1; }
    [ "$(date +%s)" -lt "$until" ] || { tail -n 30 "$work/demo.log"; echo "clean-check: no $what" >&2; exit 1; }
    sleep 1
  done
}
wait_for 900 "window" env DISPLAY="$display" xdotool search --onlyvisible --name '^Reach Studio$'
echo "clean-check: window mapped $(( $(date +%s) - start )) s after ./scripts/demo started (bootstrap included)"
wait_for 300 "queue" grep -q '^QUEUE ' "$work/demo.log"
grep -E '^(bootstrap|WINDOW|QUEUE)' "$work/demo.log"
"$repo/.venv/bin/python" tests/desktop/xserver.py shot "$work/fb/Xvfb_screen0" docs/demo-clean-debian.png

echo "clean-check: reach-studio doctor in the clean root"
chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin DISPLAY="$display" \
  bash -c 'cd /root/reach-studio && .venv/bin/reach-studio doctor 2>/dev/null' || true
kill "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=

echo "clean-check: the window smoke test through ./scripts/test in the clean root"
chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 CI=true \
  bash -c 'cd /root/reach-studio && ./scripts/test tests/desktop -q -p no:cacheprovider' 2>&1 | tail -n 5
