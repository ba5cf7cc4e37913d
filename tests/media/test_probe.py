"""probe() tells what is in a file the way ffprobe would, and refuses what is not media with a clear error."""

from __future__ import annotations

import pytest

from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.probe import probe


def test_probe_reads_codecs_profile_size_and_bitrate(av_media):
    info = probe(av_media.flavor(302).path)
    assert "mp4" in info.format_name
    assert abs(info.duration_ms - 6000) < 150
    video, audio = info.first("video"), info.first("audio")
    assert (video.codec, video.width, video.height) == ("h264", 640, 360)
    assert video.profile
    assert (audio.codec, audio.profile, audio.sample_rate) == ("aac", "LC", 48000)
    assert audio.bit_rate and 20_000 < audio.bit_rate < 200_000


def test_probe_of_a_128k_aac_file_reports_that_bitrate(tmp_path):
    out = tmp_path / "noise.m4a"
    run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=3:a=0.3", "-c:a", "aac", "-b:a", "128k", str(out)])
    audio = probe(out).first("audio")
    assert abs(audio.bit_rate - 128_000) < 15_000
    assert not probe(out).has_video


def test_not_media_is_a_clear_error(tmp_path):
    junk = tmp_path / "notes.mp4"
    junk.write_text("this is not a video")
    with pytest.raises(MediaError, match="notes.mp4"):
        probe(junk)


def test_missing_file_and_other_schemes_are_refused(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        probe(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match="unsupported URL scheme"):
        probe("file:///etc/passwd")
