"""No secret reaches a child process where another user of the machine could read it.

A process's command line is public on a Linux machine (ps, /proc/<pid>/cmdline). The task's KS stays in
the app: ffmpeg and ffprobe get the media as local files or pipes, never as a Kaltura URL, and a command
line that would carry a KS is refused before anything starts. Children's environments (readable by this
user only) carry no secret either. The live ingest's stream key: tests/live/test_ingest.py.
"""

from __future__ import annotations

import sys

import pytest

from reach_studio import redaction
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.media import probe as probe_module
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe, run_ffmpeg
from tests.child_processes import ChildWatch

from .test_stream_while_downloading import _claimed

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.fixture
def linux_build(monkeypatch):
    """As the Linux packages run: no PyAV, so every probe is an ffprobe child."""
    if probe_module.ffprobe_exe() is None:
        pytest.skip("no ffprobe on this machine")
    monkeypatch.setattr(probe_module, "_pyav", lambda: None)


def test_streaming_a_task_starts_ffmpeg_and_ffprobe_without_the_ks_in_their_command_line_or_environment(
    emulator, conn, linux_build, monkeypatch
):
    task, entry = _claimed(emulator, conn)
    monkeypatch.setenv("PGPASSWORD", "team-store-password")  # team mode's libpq password
    monkeypatch.setenv("REACH_APP_TOKEN", "app-token-value-1234")  # what `sync --app-token-env` reads
    monkeypatch.setattr(redaction, "_known", set(redaction._known))  # the registration ends with the test
    redaction.register_secret("app-token-value-1234")
    emulator.faults.configure(segment_latency_ms=150)  # segments land one by one: waveform decoded meanwhile
    streams, waves = [], []
    with ChildWatch() as watch:
        result = fetch_task_media(
            conn,
            task,
            cache=MediaCache(),
            workers=1,
            on_stream=streams.append,
            on_waveform=waves.append,
        )
    # the work succeeded: the stream was offered, the waveform grew from the segments, the file is whole
    assert streams and task.access_key in streams[0].url  # the player's URL (in-process) has it
    assert waves and waves[-1].arrived
    assert abs(probe_module.probe(result.path).duration_ms - entry["msDuration"]) <= 1000
    # ... through real children: ffmpeg decoding segments and joining them, ffprobe checking the join
    assert watch.lines("ffmpeg") and watch.lines("ffprobe"), watch.seen
    for pid, line in watch.seen.items():
        assert task.access_key not in line, line
        assert "/ks/" not in line and "ks=" not in line, line
        env = watch.environ[pid]
        assert "PGPASSWORD" not in env and "REACH_APP_TOKEN" not in env
        assert task.access_key not in "\n".join(env.values())
        assert "PATH" in env  # the rest of the environment is kept


def test_probing_or_decoding_a_kaltura_url_with_the_ks_is_refused_before_a_child_starts(
    emulator, conn, linux_build
):
    task, _ = _claimed(emulator, conn)
    streams = []
    fetch_task_media(conn, task, cache=MediaCache(), on_stream=streams.append)
    url = streams[0].url  # the playback URL with the task's KS (what a player streams)
    assert task.access_key in url
    with ChildWatch() as watch:
        with pytest.raises(MediaError) as probed:
            probe_module.probe(url)
        with pytest.raises(MediaError) as decoded, open_ffmpeg_pipe(["-i", url, "-f", "s16le", "pipe:1"]):
            pass
        with pytest.raises(MediaError):
            run_ffmpeg(["-headers", f"X-Kaltura-Ks: {task.access_key}\r\n", "-i", url, "-f", "null", "-"])
    for error in (probed.value, decoded.value):
        assert "command line would show a secret" in str(error)
        assert task.access_key not in str(error)
    assert not [line for line in watch.seen.values() if task.access_key in line], watch.seen
