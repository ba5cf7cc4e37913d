"""VLC and ALSA speak through the app's log, never on the terminal; libvlc loads off the GUI thread."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading

import pytest

from reach_studio.ui.player import create_player, native_log, vlc_backend

pytestmark = pytest.mark.timeout(120)

needs_vlc = pytest.mark.skipif(not vlc_backend.available(), reason="no usable libvlc")


def _libasound():
    try:
        return ctypes.CDLL(ctypes.util.find_library("asound") or "libasound.so.2")
    except OSError:
        return None


@pytest.mark.skipif(_libasound() is None, reason="no ALSA library")
def test_alsa_errors_go_to_the_log_not_to_stderr(capfd, caplog):
    """What VLC's ALSA output met on a machine without a sound card: `ALSA lib … Unknown PCM` on stderr."""
    assert native_log.quiet_alsa()
    lib = _libasound()
    pcm = ctypes.c_void_p()
    with caplog.at_level(logging.DEBUG, logger="reach_studio.alsa"):
        rc = lib.snd_pcm_open(ctypes.byref(pcm), b"no_such_reach_device", 0, 0)
    assert rc < 0
    assert "ALSA lib" not in capfd.readouterr().err
    assert any(r.name == "reach_studio.alsa" for r in caplog.records), "the error is kept in the app's log"


@needs_vlc
def test_a_stream_that_fails_is_logged_redacted_and_stderr_stays_clean(qtbot, capfd, caplog, test_clip):
    player = create_player(prefer="vlc")
    errors = []
    player.errorOccurred.connect(errors.append)
    secret = "djJ8MTAxfDnKuJYwj0HYhbzMRxtjqDToG9qQ7yfDb9Dz2GPKNmfiWO2Je4DAqNkgK4SYoDTdy"
    with caplog.at_level(logging.INFO, logger="reach_studio.vlc"):
        player.load_url(f"http://127.0.0.1:9/p/1/sp/100/playManifest/ks/{secret}/a.m3u8", 20_000)
        player.play()
        qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
        player.close()
        player = create_player(prefer="vlc")  # a file that plays, audio included: no ALSA retries on stderr
        player.load(test_clip)
        qtbot.waitUntil(lambda: player.duration() > 0, timeout=10_000)
        player.play()
        qtbot.waitUntil(lambda: player.position() > 500, timeout=10_000)
        player.close()
    err = capfd.readouterr().err
    assert "ALSA lib" not in err and "libvlc" not in err.lower() and "vlc" not in err.lower(), err[:500]
    vlc_lines = [r.getMessage() for r in caplog.records if r.name == "reach_studio.vlc"]
    assert vlc_lines, "VLC's complaint about the stream reaches the app's log"
    assert not any(secret in line for line in vlc_lines), "the KS in the URL never reaches the log"


def test_libvlc_is_loaded_on_a_worker_thread_before_a_task_opens(qtbot, monkeypatch):
    """Creating libvlc scans its plugins (up to a second, the window frozen when done on the GUI thread)."""
    made_on: list[threading.Thread] = []
    monkeypatch.setattr(vlc_backend, "_probed", False)
    monkeypatch.setattr(vlc_backend, "_instance", None)
    monkeypatch.setattr(vlc_backend, "_new_instance", lambda: made_on.append(threading.current_thread()))
    vlc_backend.warm_up()
    qtbot.waitUntil(lambda: bool(made_on), timeout=10_000)
    assert made_on[0] is not threading.main_thread()
    assert vlc_backend._vlc_instance() is None and len(made_on) == 1, "made once, then reused"


def test_without_a_sound_device_vlc_gets_the_dummy_audio_output(monkeypatch, tmp_path):
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    real_read = native_log.Path.read_text

    def cards(self, *args, **kwargs):
        if str(self) == "/proc/asound/cards":
            return " --- no soundcards ---\n"
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(native_log.Path, "read_text", cards)
    monkeypatch.setattr(native_log.sys, "platform", "linux")
    assert not native_log.sound_device_present()
    (tmp_path / "pulse").mkdir()
    (tmp_path / "pulse" / "native").touch()
    assert native_log.sound_device_present(), "a PulseAudio server plays sound without an ALSA card"


@pytest.fixture
def hls_clip(test_clip, tmp_path):
    """The test clip cut into 1 s HLS segments, as Kaltura's packager serves a flavor."""
    from reach_studio.media.ffmpeg import run_ffmpeg

    run_ffmpeg(
        ["-i", str(test_clip), "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
         str(tmp_path / "index.m3u8")]
    )  # fmt: skip
    return tmp_path / "index.m3u8"


@needs_vlc
def test_a_streams_position_moves_with_its_pictures_and_never_back(qtbot, hls_clip):
    """libvlc reports an HLS stream's time in ~1 s steps, the first a second after the pictures started
    moving: the playhead and time label sat at 0:00 while the video played."""
    from PySide6.QtCore import QUrl

    p = create_player(prefer="vlc")
    seen: list[int] = []  # the position each time a picture shows while playing
    p.frameReady.connect(lambda _image: p.is_playing() and seen.append(p.position()))
    try:
        p.load_url(QUrl.fromLocalFile(str(hls_clip)).toString(), 4000)
        p.play()
        qtbot.waitUntil(lambda: len(seen) >= 30, timeout=30_000)
        p.pause()
    finally:
        p.close()
    assert seen[8] > 0, f"the position moves with the first pictures: {seen[:12]}"
    assert seen == sorted(seen), "it never goes back"


def test_a_file_that_plays_leaves_no_vlc_warning_in_the_log_window(qtbot, caplog, test_clip):
    """Opening the log after a task started showed a screen of VLC warnings ("Failed to create video
    converter", "video output creation failed") for a clip that played fine: routine, so debug."""
    with caplog.at_level(logging.DEBUG, logger="reach_studio.vlc"):
        player = create_player(prefer="vlc")
        player.load(test_clip)
        qtbot.waitUntil(lambda: player.duration() > 0, timeout=10_000)
        player.play()
        qtbot.waitUntil(lambda: player.position() > 500, timeout=10_000)
        player.close()
    vlc = [r for r in caplog.records if r.name == "reach_studio.vlc"]
    assert vlc, "libvlc's messages are routed to the log (at debug)"
    shown = [r.getMessage() for r in vlc if r.levelno >= logging.WARNING]
    assert not [m for m in shown if "video output" in m or "converter" in m or "recursion" in m], shown
