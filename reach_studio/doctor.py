"""`reach-studio doctor`: says which optional parts work on this machine (and in a frozen build).

Linguists and support staff need one command that explains why video does not play or why the
token is not remembered, instead of a traceback later.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.resources
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# "libxcb-icccm.so.4: cannot open shared object file" (dlopen, ImportError) and ldd's "=> not found"
_MISSING_LIB = re.compile(r"(lib[\w.+-]+\.so[.\d]*)(?::? cannot open shared object file| => not found)")
XCB_PROBE_TIMEOUT_S = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    # Run by the qt-xcb check in a child process: loading a platform plugin that fails aborts the process.
    parser.add_argument("--probe-xcb", action="store_true", help=argparse.SUPPRESS)


def system_packages() -> list[tuple[str, str, tuple[str, ...]]]:
    """(Debian package, role, sonames) from system_packages.txt, the list bootstrap.sh installs."""
    text = importlib.resources.files("reach_studio").joinpath("system_packages.txt").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and not line.startswith("#"):
            sonames = tuple(s for s in fields[2].split(",") if s != "-") if len(fields) > 2 else ()
            rows.append((fields[0], fields[1], sonames))
    return rows


def package_for(soname: str) -> str | None:
    for package, _role, sonames in system_packages():
        if soname in sonames:
            return package
    return None


class MissingLibraries(RuntimeError):
    """Shared libraries the dynamic loader could not find, with the Debian packages that provide them."""

    def __init__(self, what: str, sonames: list[str]) -> None:
        self.sonames = sorted(set(sonames))
        self.packages = sorted({p for p in map(package_for, self.sonames) if p})
        named = ", ".join(f"{s} ({package_for(s) or 'package unknown'})" for s in self.sonames)
        super().__init__(f"{what}: missing {named}" if named else what)


def _missing_sonames(text: str) -> list[str]:
    return sorted(set(_MISSING_LIB.findall(text)))


def _check(name: str, fn) -> dict:
    try:
        detail = fn()
        return {"check": name, "ok": True, "detail": str(detail)}
    except Exception as exc:  # noqa: BLE001 (each check reports, none aborts the others)
        detail = str(exc) if isinstance(exc, MissingLibraries) else f"{type(exc).__name__}: {exc}"
        result = {"check": name, "ok": False, "detail": detail}
        missing = (
            exc if isinstance(exc, MissingLibraries) else MissingLibraries("", _missing_sonames(str(exc)))
        )
        if missing.packages:
            result["packages"] = missing.packages
            if not isinstance(exc, MissingLibraries):
                result["detail"] += f" (Debian package {', '.join(missing.packages)})"
        return result


def _kaltura_plugins() -> str:
    from KalturaClient import KalturaClient, KalturaConfiguration

    config = KalturaConfiguration()
    config.serviceUrl = "https://api.kaltura.com"
    client = KalturaClient(config)
    missing = [
        p for p in ("reach", "caption", "attachment", "cuePoint", "schedule") if not hasattr(client, p)
    ]
    if missing:
        raise RuntimeError(f"plugins missing: {', '.join(missing)}")
    return "reach, caption, attachment, cuePoint, schedule"


def _ffmpeg() -> str:
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # the Linux packages use the system's ffmpeg instead of imageio-ffmpeg's binary
        error = MissingLibraries("no ffmpeg: neither imageio-ffmpeg's binary nor one on PATH", [])
        error.packages = ["ffmpeg"]
        raise error from None


def _media_probe() -> str:
    """PyAV where it is installed; the Linux packages probe with Debian's ffprobe instead."""
    from reach_studio.media.errors import MediaError
    from reach_studio.media.probe import backend

    try:
        return f"{backend()} (media probing)"
    except MediaError as exc:
        error = MissingLibraries(str(exc), [])
        error.packages = ["ffmpeg"]
        raise error from None


def _vlc() -> str:
    import vlc

    try:
        instance = vlc.Instance(["--no-xlib", "--vout=dummy", "--aout=dummy", "--intf=dummy", "--quiet"])
    except (OSError, NameError) as exc:  # python-vlc found no libvlc: NameError "no function 'libvlc_new'"
        raise MissingLibraries(f"python-vlc found no libvlc ({exc})", ["libvlc.so.5"]) from None
    if instance is None:
        error = MissingLibraries("libvlc found but no plugins", [])
        error.packages = ["vlc-plugin-base"]
        raise error
    return vlc.libvlc_get_version().decode()


def _self_command() -> list[str]:
    """This program again: the frozen executable, or this Python running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "reach_studio"]


def _qt_plugins_dir() -> Path:
    """Qt's plugin folder, found without loading QtCore (which itself needs libglib on Linux)."""
    spec = importlib.util.find_spec("PySide6")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "Qt" / "plugins").is_dir():
            return Path(location) / "Qt" / "plugins"
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def _qt_xcb() -> str:
    """Can Qt open a window under X? Offscreen runs load none of the X libraries, so check them here.

    Statically: `ldd` on the xcb platform plugin names every library the loader cannot find. Then, when a
    display is set, a child process really loads the plugin (some libraries, e.g. libxcb-cursor, are
    only checked by Qt at start-up), and its messages name what is missing.
    """
    import ctypes.util  # here, not at the top: cli.py imports this module at every start

    if not sys.platform.startswith("linux"):
        return f"not used on {sys.platform}"
    plugin = _qt_plugins_dir() / "platforms" / "libqxcb.so"
    if not plugin.exists():
        raise FileNotFoundError(f"Qt's xcb platform plugin is not in this build ({plugin})")
    if shutil.which("ldd"):
        out = subprocess.run(
            ["ldd", str(plugin)], check=False, capture_output=True, text=True, timeout=30
        ).stdout
        if missing := _missing_sonames(out):
            raise MissingLibraries("Qt's xcb platform plugin cannot load", missing)
    display = os.environ.get("DISPLAY")
    if not display:
        return "libraries of the xcb platform plugin found (no DISPLAY set, so no window was tried)"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_DEBUG_PLUGINS="1")
    try:
        proc = subprocess.run(
            [*_self_command(), "doctor", "--probe-xcb"],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=XCB_PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise TimeoutError(
            f"Qt did not connect to DISPLAY={display} within {XCB_PROBE_TIMEOUT_S} s"
        ) from None
    if proc.returncode == 0:
        return f"xcb platform plugin loads on DISPLAY={display}: {proc.stdout.strip()}"
    if "could not connect to display" in proc.stderr:
        raise ConnectionError(
            f"no X server answers on DISPLAY={display} (is it running, may this user use it?)"
        )
    missing = _missing_sonames(proc.stderr)
    # Qt says "libxcb-cursor0 is needed" whenever xcb fails, even for an unreachable display: ask the loader
    if "libxcb-cursor0 is needed" in proc.stderr and ctypes.util.find_library("xcb-cursor") is None:
        missing.append("libxcb-cursor.so.0")
    if missing:
        raise MissingLibraries(f"Qt's xcb platform plugin cannot load on DISPLAY={display}", missing)
    last = [line for line in proc.stderr.splitlines() if line.strip()][-3:]
    raise RuntimeError(
        f"Qt could not open DISPLAY={display}: {' / '.join(last) or f'exit {proc.returncode}'}"
    )


def _probe_xcb() -> int:
    """Child of the qt-xcb check: start Qt on the xcb platform and say which screen it sees."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(["reach-studio", "-platform", "xcb"])
    size = app.primaryScreen().size()
    print(f"screen {size.width()}x{size.height()}")
    return 0


def _qt_multimedia() -> str:
    from PySide6 import QtMultimedia  # noqa: F401  (needs PySide6-Addons and libpulse0)

    return "QtMultimedia importable"


def _resources() -> str:
    """Icons, style sheet and licence list are packaged (wheel / frozen app) and readable."""
    from reach_studio import resource_files

    resource_files.read_text("style.qss")
    resource_files.read_text("third-party-licences.md")
    resource_files.read_bytes("icons/hicolor/256x256/apps/reach-studio.png")
    return str(resource_files.root())


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
    "media-probe": _media_probe,
    "vlc": _vlc,
    "qt-xcb": _qt_xcb,
    "qt-multimedia": _qt_multimedia,
    "resources": _resources,
    "keyring": _keyring,
}


def run(args: argparse.Namespace) -> int:
    if getattr(args, "probe_xcb", False):
        return _probe_xcb()
    results = [_check(name, fn) for name, fn in CHECKS.items()]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{'ok ' if r['ok'] else 'NO '} {r['check']:<14} {r['detail']}")
        packages = sorted({p for r in results for p in r.get("packages", [])})
        if packages:
            print(f"fix (Debian/Ubuntu): sudo apt-get install --no-install-recommends {' '.join(packages)}")
    # Only the Kaltura client is essential; the rest degrade gracefully.
    return 0 if results[0]["ok"] else 1
