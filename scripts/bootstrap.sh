#!/usr/bin/env bash
# Creates .venv and installs everything Reach Studio needs on a fresh machine that has only Python 3.11 and pip.
# Idempotent: a second run only checks. Debian packages are installed only when missing and only as root.
#   bash scripts/bootstrap.sh          # the app (X libraries for Qt's xcb plugin, Qt Multimedia, VLC)
#   bash scripts/bootstrap.sh --test   # ... and what the tests need (Xvfb + xdotool for the window smoke test,
#                                      # PostgreSQL server binaries for the team store's throwaway clusters)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
roles="x11|media"
[ "${1:-}" = "--test" ] && roles="x11|media|test"

# reach_studio/system_packages.txt says which Debian package provides each library Qt and python-vlc load
# (and why); the same list feeds `reach-studio doctor` and the .deb's Depends.
if command -v dpkg-query >/dev/null; then
  mapfile -t wanted < <(awk -v r="^($roles)\$" '!/^#/ && NF >= 2 && $2 ~ r {print $1}' reach_studio/system_packages.txt)
  mapfile -t need_debs < <(
    dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null | awk '$NF == "installed" {print $1}' \
      | sort | comm -13 - <(printf '%s\n' "${wanted[@]}" | sort)
  )
  if [ ${#need_debs[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bootstrap: installing Debian packages: ${need_debs[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt=(apt-get -o DPkg::Lock::Timeout=300)
      # Several checkouts on one machine may bootstrap at once: take turns (apt's own lock fails fast).
      command -v flock >/dev/null && apt=(flock /tmp/apt.lock "${apt[@]}")
      if ! { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq --no-install-recommends "${need_debs[@]}"; } \
          > /tmp/reach-studio-apt.log 2>&1; then
        tail -n 20 /tmp/reach-studio-apt.log >&2
        echo "bootstrap: apt-get failed (log: /tmp/reach-studio-apt.log)" >&2
        exit 1
      fi
    else
      echo "bootstrap: warning: Debian packages missing (not root); without them the window may not appear" \
        "and video falls back or is unavailable. Run:" >&2
      echo "  sudo apt-get install --no-install-recommends ${need_debs[*]}" >&2
    fi
  fi
fi

stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  echo "bootstrap: installing Python packages into .venv (first run only; log in .venv/install.log)"
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[dev]"; } \
      > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "bootstrap: pip install failed (full log: .venv/install.log)" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
