"""What libvlc and ALSA say goes to the app's log, never to the terminal.

libvlc logs through a callback we set (`route_libvlc_log`); ALSA's library prints its own errors straight to
stderr (thousands of `ALSA lib … cannot find card '0'` lines on a machine without a sound card, one burst
each time VLC retries its audio output), so its error handler is replaced too (`quiet_alsa`). Messages pass
through `redact`: VLC quotes the stream's URL, which carries the task's KS. libvlc's errors become warnings
here, its warnings info, the rest debug — except what it says on every start with our frame callbacks
("video output creation failed", `_ROUTINE`), debug too — so the log window shows what matters and `--debug`
logging shows everything.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
from pathlib import Path

from reach_studio.redaction import redact

log = logging.getLogger("reach_studio.vlc")
alsa_log = logging.getLogger("reach_studio.alsa")

# libvlc_log_level: DEBUG 0, NOTICE 2, WARNING 3, ERROR 4
_LEVELS = {4: logging.WARNING, 3: logging.INFO, 2: logging.DEBUG, 0: logging.DEBUG}

# What libvlc reports on every start with our frame callbacks as the video output (it first tries outputs
# and converters it cannot use): routine, so debug, not a warning in the log window
_ROUTINE = (
    "Failed to create video converter",
    "Too high level of recursion",
    "Failed to adapt decoder format to display",
    "video output creation failed",
    "failed to create video output",
    "decoded zero sample",
)

_keep: list[object] = []  # ctypes callbacks must outlive the libraries that call them
_vsnprintf = None


def _format(fmt: bytes | None, args) -> str:
    global _vsnprintf
    if _vsnprintf is None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        _vsnprintf = libc.vsnprintf
        _vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
        _vsnprintf.restype = ctypes.c_int
    buf = ctypes.create_string_buffer(1024)
    _vsnprintf(buf, len(buf), fmt, args)
    return buf.value.decode("utf-8", "replace")


def route_libvlc_log(instance) -> None:
    """libvlc's messages into logging ("reach_studio.vlc") instead of stderr. Called once per instance."""
    import vlc

    @vlc.CallbackDecorators.LogCb
    def callback(_data, level, _ctx, fmt, args) -> None:
        py_level = _LEVELS.get(level, logging.DEBUG)
        if not log.isEnabledFor(py_level):  # most messages are debug: dropped before formatting
            return
        try:
            text = _format(fmt, args)
            if py_level > logging.DEBUG and text.startswith(_ROUTINE):
                if not log.isEnabledFor(logging.DEBUG):
                    return
                py_level = logging.DEBUG
            log.log(py_level, "%s", redact(text))
        except Exception:  # noqa: BLE001, S110 - a log line must never break playback (libvlc's thread)
            pass

    _keep.append(callback)
    instance.log_set(callback, None)


_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)


def quiet_alsa() -> bool:
    """ALSA's errors into logging ("reach_studio.alsa", debug) instead of stderr; False without ALSA.

    The handler is variadic in C; the fixed arguments (file, line, function, errno, format) say enough
    to find a problem, and the format's own arguments are not read."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("asound") or "libasound.so.2")
    except OSError:
        return False

    def handler(file, line, function, err, fmt) -> None:
        try:
            what = (fmt or b"").decode("utf-8", "replace")
            where = f"{(file or b'').decode(errors='replace')}:{line} {(function or b'').decode(errors='replace')}"
            alsa_log.debug("ALSA %s: %s%s", where, what, f" ({os.strerror(-err)})" if err < 0 else "")
        except Exception:  # noqa: BLE001, S110 - never let a log line break audio
            pass

    callback = _ALSA_HANDLER(handler)
    _keep.append(callback)
    lib.snd_lib_error_set_handler(callback)
    return True


def sound_device_present() -> bool:
    """Is there anything to play sound on (Linux: an ALSA card, or a PulseAudio/PipeWire server)?

    Without one, VLC retries its audio output for every audio block (each attempt a failed ALSA open),
    so it gets the dummy output instead. Other systems always have an output VLC can open."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("PULSE_SERVER"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    for name in ("pulse/native", "pipewire-0"):
        if Path(runtime, name).exists():
            return True
    try:
        cards = Path("/proc/asound/cards").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(cards.strip()) and "no soundcards" not in cards
