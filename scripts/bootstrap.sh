#!/usr/bin/env bash
# Creates .venv and installs everything Reach Studio needs on a fresh machine that has only Python 3.11 and pip.
# Idempotent: a second run only checks. Debian packages are installed only when missing and only as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

need_debs=()
# libpulse0: hard ELF dependency of Qt Multimedia (PySide6-Addons). libvlc5 + vlc-plugin-base: python-vlc back-end.
for deb in libpulse0 libvlc5 vlc-plugin-base; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || need_debs+=("$deb")
done
if [ ${#need_debs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing Debian packages: ${need_debs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
  else
    echo "bootstrap: warning: missing ${need_debs[*]} (not root): video playback falls back or is unavailable" >&2
  fi
fi

# PostgreSQL server binaries (initdb, pg_ctl, postgres) for the team store's tests and benches: every run
# starts its own throwaway cluster in a temp folder (reach_studio/team/pg_cluster.py); no service is used.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing Debian package postgresql (team-store tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "bootstrap: warning: PostgreSQL server binaries missing (not root): team-store tests cannot run" >&2
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
