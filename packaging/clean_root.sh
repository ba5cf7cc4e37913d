# Sourced by clean_debian_check.sh and deb_clean_check.sh: a fresh Debian 12 root (debootstrap, only
# Python 3.11 + pip added, from the Debian mirror apt already uses here) and an X server whose socket is
# shared into it. Needs root, debootstrap, Xvfb; nothing is installed on or removed from this machine.
# Sets: work root display xvfb_pid; `cleanup` unmounts and stops what was started.

clean_root_setup() {  # WORK_DIR
  work=$(realpath -m "$1")
  root=$work/root
  local base=$work/base.tar mirror
  mkdir -p "$work"
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -oE '^[[:space:]]*(URIs:|deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' | awk '{print $2}' | head -1 || true)
  [ -n "$mirror" ] || { echo "clean-root: no Debian mirror in /etc/apt/sources.list*" >&2; return 1; }
  if [ ! -f "$base" ]; then
    echo "clean-root: debootstrap bookworm (minbase + python3, venv, pip) from $mirror"
    rm -rf "$work/base"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
      bookworm "$work/base" "$mirror" > "$work/debootstrap.log"
    tar -C "$work/base" -cf "$base" . && rm -rf "$work/base"
  fi
  trap cleanup EXIT
  cleanup
  if grep -q " $root/" /proc/mounts; then echo "clean-root: something is still mounted under $root" >&2; return 1; fi
  rm -rf --one-file-system "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
  for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
  # This machine's network set-up, as any machine of its kind has it: DNS, its CA bundle, pip's config.
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  python3 -m pip config list 2>/dev/null | sed -n "s/^global\.\([a-z-]*\)='\(.*\)'$/\1 = \2/p" \
    | { echo "[global]"; cat; } > "$root/etc/pip.conf"
  local d
  for d in /opt/wheels /opt/pypi /opt/pypi-more /etc/xdg/pip; do
    [ -d "$d" ] || continue
    mkdir -p "$root$d"
    case $d in /etc/*) cp -r "$d/." "$root$d/" ;; *) mount --bind -o ro "$d" "$root$d" ;; esac
  done
  # The desktop's X server: Xvfb here, its socket shared into the root; its screen is an XWD file.
  rm -rf "$work/fb" && mkdir -p "$work/fb" "$root/tmp/.X11-unix"
  : > "$work/display"
  exec {dfd}> "$work/display"
  Xvfb -displayfd "$dfd" -screen 0 1280x800x24 -fbdir "$work/fb" -nolisten tcp 2> "$work/xvfb.log" &
  xvfb_pid=$!
  exec {dfd}>&-
  local _
  for _ in $(seq 100); do grep -q . "$work/display" && break; sleep 0.1; done
  display=":$(tr -d '\n' < "$work/display")"
  mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
}

in_root() {  # COMMAND: run as root in the clean root, with the X display and a plain environment
  chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DISPLAY="$display" \
    PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring bash -c "$1"
}

cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  local m
  for m in tmp/.X11-unix opt/pypi-more opt/pypi opt/wheels dev/pts dev sys proc; do
    mountpoint -q "$root/$m" && umount -l "$root/$m"
  done
  return 0
}

wait_for() {  # SECONDS DESCRIPTION LOG COMMAND...: poll COMMAND until it succeeds, while app_pid lives
  local until=$(( $(date +%s) + $1 )) what=$2 log=$3; shift 3
  until "$@" > /dev/null 2>&1; do
    kill -0 "$app_pid" 2>/dev/null || { tail -n 30 "$log"; echo "clean-root: exited before $what" >&2; return 1; }
    [ "$(date +%s)" -lt "$until" ] || { tail -n 30 "$log"; echo "clean-root: no $what" >&2; return 1; }
    sleep 0.2
  done
}
