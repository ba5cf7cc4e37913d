"""`reach-studio doctor`: says which optional parts work on this machine (and in a frozen build).

Linguists and support staff need one command that explains why video does not play or why the
token is not remembered, instead of a traceback later.
"""

from __future__ import annotations

import argparse
import importlib
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _check(name: str, fn) -> dict:
    try:
        detail = fn()
        return {"check": name, "ok": True, "detail": str(detail)}
    except Exception as exc:  # each check reports, none aborts the others
        return {"check": name, "ok": False, "detail": f"{type(exc).__name__}: {exc}"}


def _kaltura_plugins() -> str:
    from KalturaClient import KalturaClient, KalturaConfiguration

    config = KalturaConfiguration()
    config.serviceUrl = "https://api.kaltura.com"
    client = KalturaClient(config)
    missing = [p for p in ("reach", "caption", "attachment", "cuePoint", "schedule") if not hasattr(client, p)]
    if missing:
        raise RuntimeError(f"plugins missing: {', '.join(missing)}")
    return "reach, caption, attachment, cuePoint, schedule"


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _pyav() -> str:
    av = importlib.import_module("av")
    return f"PyAV {av.__version__} (media probing)"


def _vlc() -> str:
    import vlc

    instance = vlc.Instance(["--no-xlib", "--vout=dummy", "--aout=dummy", "--intf=dummy", "--quiet"])
    if instance is None:
        raise RuntimeError("libvlc found but no plugins (install vlc-plugin-base)")
    return vlc.libvlc_get_version().decode()


def _qt_multimedia() -> str:
    from PySide6 import QtMultimedia  # noqa: F401  (needs PySide6-Addons and libpulse0)

    return "QtMultimedia importable"


def _keyring() -> str:
    import keyring

    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name:
        raise RuntimeError(f"no OS keyring backend ({name}); secrets are kept for this session only")
    return name


CHECKS = {
    "kaltura-client": _kaltura_plugins,
    "ffmpeg": _ffmpeg,
    "pyav": _pyav,
    "vlc": _vlc,
    "qt-multimedia": _qt_multimedia,
    "keyring": _keyring,
}


def run(args: argparse.Namespace) -> int:
    results = [_check(name, fn) for name, fn in CHECKS.items()]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{'ok ' if r['ok'] else 'NO '} {r['check']:<14} {r['detail']}")
    # Only the Kaltura client is essential; the rest degrade gracefully.
    return 0 if results[0]["ok"] else 1
