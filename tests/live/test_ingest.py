"""The RTMP ingest of a live session: a real ffmpeg push (Kaltura's restream) into our listener."""

from __future__ import annotations

import sys
import threading

import pytest

from reach_studio.emulator.live_push import MediaPush, event_media, phrase_onsets
from reach_studio.live.ingest import SAMPLE_RATE, IngestListener
from tests.child_processes import command_line

DEADLINE = 30.0


@pytest.fixture(scope="module")
def clip(emulator_media_cache):
    return event_media(emulator_media_cache, 2.5)


class Recorder:
    """Collects the listener's states and audio; events to wait on instead of sleeping."""

    def __init__(self) -> None:
        self.states: list[str] = []
        self.samples = 0
        self.first_audio_state = None
        self.changed = threading.Condition()

    def on_state(self, state: str, detail: str) -> None:
        with self.changed:
            self.states.append(state)
            self.changed.notify_all()

    def on_audio(self, pcm: bytes, at: float) -> None:
        with self.changed:
            if self.first_audio_state is None:
                self.first_audio_state = self.states[-1]
            self.samples += len(pcm) // 2
            self.changed.notify_all()

    def wait(self, predicate, timeout: float = DEADLINE) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)


def _listener(rec: Recorder) -> IngestListener:
    return IngestListener(4242, on_state=rec.on_state, on_audio=rec.on_audio).start()


def test_a_push_with_the_wrong_key_is_refused_before_any_audio_and_the_right_key_plays(clip):
    rec = Recorder()
    listener = _listener(rec)
    try:
        assert listener.media_url.startswith("rtmp://127.0.0.1:") and listener.media_url.endswith("/live")
        assert listener.media_key not in repr(listener)
        assert rec.wait(lambda: "listening" in rec.states)
        wrong = MediaPush(clip, listener.media_url, "not-the-key").start()
        wrong.thread.join(DEADLINE)
        assert wrong.outcome != "completed"
        assert rec.wait(lambda: "refused" in rec.states)
        assert rec.samples == 0 and listener.refusals == 1
        assert rec.wait(lambda: rec.states[-1] == "listening")  # and listens again

        good = MediaPush(clip, listener.media_url, listener.media_key).start()
        good.thread.join(DEADLINE)
        assert good.outcome == "completed"
        # the whole clip arrived (2.5 s of 48 kHz), then the ingest listens for the next push
        assert rec.wait(lambda: rec.states[-1] == "listening" and "dropped" in rec.states)
        assert rec.first_audio_state == "receiving"
        assert abs(rec.samples / SAMPLE_RATE - 2.5) < 0.2
        assert abs(listener.received_seconds() - 2.5) < 0.2
    finally:
        listener.stop()
    assert listener.state == "stopped"


def test_the_ingest_listens_again_after_the_stream_drops_mid_event(clip):
    rec = Recorder()
    listener = _listener(rec)
    try:
        assert rec.wait(lambda: "listening" in rec.states)
        first = MediaPush(clip, listener.media_url, listener.media_key).start()
        assert rec.wait(lambda: rec.samples > SAMPLE_RATE // 2)  # half a second in
        first.stop()  # Kaltura's relay drops
        assert rec.wait(lambda: "dropped" in rec.states and rec.states[-1] == "listening")
        before = rec.samples
        second = MediaPush(clip, listener.media_url, listener.media_key).start()
        second.thread.join(DEADLINE)
        assert second.outcome == "completed"
        assert rec.wait(lambda: rec.states.count("dropped") == 2)
        assert listener.connections == 2 and listener.drops == 2
        assert rec.samples - before >= int(2.3 * SAMPLE_RATE)
    finally:
        listener.stop()


def test_phrase_onsets_follow_the_event_media_pattern():
    assert phrase_onsets(7.0) == [1.0, 4.0]


def test_a_stream_without_picture_is_heard_after_one_retry_when_the_picture_was_asked_for(tmp_path):
    from reach_studio.media.ffmpeg import run_ffmpeg

    sound_only = tmp_path / "sound.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=440:d=1.5", "-c:a", "aac", str(sound_only)], timeout=60)
    rec = Recorder()
    frames: list[int] = []
    listener = IngestListener(
        4243, on_state=rec.on_state, on_audio=rec.on_audio, on_video=lambda f, w, h: frames.append(len(f))
    ).start()
    try:
        assert rec.wait(lambda: "listening" in rec.states)
        first = MediaPush(sound_only, listener.media_url, listener.media_key).start()
        first.thread.join(DEADLINE)
        assert rec.wait(lambda: listener.video_absent and rec.states[-1] == "listening")
        second = MediaPush(sound_only, listener.media_url, listener.media_key).start()
        second.thread.join(DEADLINE)
        assert second.outcome == "completed"
        assert rec.wait(lambda: rec.samples >= int(1.3 * SAMPLE_RATE))
        assert frames == []
    finally:
        listener.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_stream_key_is_not_on_the_listening_ffmpegs_command_line(clip):
    """Any local user can read a process's command line (ps, /proc/<pid>/cmdline); whoever has the stream
    key can push their own audio into the captioner's ears. ffmpeg listens for a stand-in name instead."""
    rec = Recorder()
    listener = _listener(rec)
    try:
        assert rec.wait(lambda: "listening" in rec.states)
        listening = command_line(listener._proc.pid)
        assert listening is not None and "-listen 1" in listening and listener.listen_url() in listening
        assert listener.media_key not in listening

        # a publisher that names the stand-in (readable in ps) is refused like any other wrong name
        guess = MediaPush(clip, listener.media_url, listener.stand_in).start()
        guess.thread.join(DEADLINE)
        assert guess.outcome != "completed"
        assert rec.wait(lambda: "refused" in rec.states and rec.states[-1] == "listening")
        assert rec.samples == 0

        seen_while_receiving: list[str | None] = []

        def on_audio(pcm: bytes, at: float) -> None:
            if not seen_while_receiving and listener._proc is not None:
                seen_while_receiving.append(command_line(listener._proc.pid))
            rec.on_audio(pcm, at)

        listener.on_audio = on_audio
        good = MediaPush(clip, listener.media_url, listener.media_key).start()
        good.thread.join(DEADLINE)
        assert good.outcome == "completed"
        assert rec.wait(lambda: "dropped" in rec.states)
        assert abs(rec.samples / SAMPLE_RATE - 2.5) < 0.2  # the right key still plays, all of it
        assert seen_while_receiving and seen_while_receiving[0] is not None
        assert "-listen 1" in seen_while_receiving[0]
        assert listener.media_key not in seen_while_receiving[0]
    finally:
        listener.stop()
