"""probe() tells what is in a file the way ffprobe would, and refuses what is not media with a clear error.

Two readers stand behind it: PyAV (source runs, Windows and macOS builds) and the ffprobe program (the
Linux packages, which leave PyAV out). Every behaviour here is checked with both, and they must agree.
"""

from __future__ import annotations

import json

import pytest

from reach_studio.media import probe as probe_module
from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.probe import audio_packets, media_info_from_ffprobe, probe


@pytest.fixture(params=["pyav", "ffprobe"])
def reader(request, monkeypatch):
    """Run the test with one reader: PyAV, or ffprobe as in a build without PyAV."""
    if request.param == "pyav":
        if probe_module._pyav() is None:
            pytest.skip("PyAV is not installed here")
    else:
        if probe_module.ffprobe_exe() is None:
            pytest.skip("no ffprobe here (Debian package ffmpeg)")
        monkeypatch.setattr(probe_module, "_pyav", lambda: None)
    return request.param


def test_probe_reads_codecs_profile_size_and_bitrate(av_media, reader):
    info = probe(av_media.flavor(302).path)
    assert "mp4" in info.format_name
    assert abs(info.duration_ms - 6000) < 150
    video, audio = info.first("video"), info.first("audio")
    assert (video.codec, video.width, video.height) == ("h264", 640, 360)
    assert video.profile and video.level
    assert (audio.codec, audio.profile, audio.sample_rate) == ("aac", "LC", 48000)
    assert audio.bit_rate and 20_000 < audio.bit_rate < 200_000
    assert probe_module.backend().split()[0] == {"pyav": "PyAV", "ffprobe": "ffprobe"}[reader]


def test_probe_of_a_128k_aac_file_reports_that_bitrate(tmp_path, reader):
    out = tmp_path / "noise.m4a"
    run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=3:a=0.3", "-c:a", "aac", "-b:a", "128k", str(out)])
    audio = probe(out).first("audio")
    assert abs(audio.bit_rate - 128_000) < 15_000
    assert not probe(out).has_video


def test_not_media_is_a_clear_error(tmp_path, reader):
    junk = tmp_path / "notes.mp4"
    junk.write_text("this is not a video")
    with pytest.raises(MediaError, match="notes.mp4"):
        probe(junk)


def test_missing_file_and_other_schemes_are_refused(tmp_path, reader):
    with pytest.raises(MediaError, match="no such file"):
        probe(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match="unsupported URL scheme"):
        probe("file:///etc/passwd")


def test_audio_packets_and_the_bitrate_check_work_with_either_reader(tmp_path, reader):
    out = tmp_path / "noise.m4a"
    run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=3:a=0.3", "-c:a", "aac", "-b:a", "128k", str(out)])
    packets = audio_packets(out)
    assert 2.9 < packets[-1][0] < 3.1 and len(packets) > 100
    assert 35_000 < sum(size for _, size in packets) < 60_000  # 3 s at 128 kbit/s
    assert check_aac_lc(out) == []
    assert check_aac_lc(tmp_path / "gone.m4a") and "no such file" in check_aac_lc(tmp_path / "gone.m4a")[0]
    video_only = tmp_path / "still.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=d=1:s=64x64", "-c:v", "libx264", str(video_only)])
    assert audio_packets(video_only) == []


def test_both_readers_agree_on_the_same_files(av_media, audio_media, monkeypatch):
    if probe_module._pyav() is None or probe_module.ffprobe_exe() is None:
        pytest.skip("needs both PyAV and ffprobe")
    files = [f.path for f in [*av_media.flavors, *audio_media.flavors]]
    with_pyav = [(probe(f), audio_packets(f)) for f in files]
    monkeypatch.setattr(probe_module, "_pyav", lambda: None)
    with_ffprobe = [(probe(f), audio_packets(f)) for f in files]
    for (a, a_packets), (b, b_packets) in zip(with_pyav, with_ffprobe, strict=True):
        assert a.format_name == b.format_name and abs(a.duration_ms - b.duration_ms) <= 1
        assert a.streams == b.streams
        assert [(round(t, 3), size) for t, size in a_packets] == [
            (round(t, 3), size) for t, size in b_packets
        ]


def test_ffprobe_json_with_missing_and_unknown_fields_is_read_as_unknowns():
    """What ffprobe prints for a live stream or an odd file: no duration, "N/A" rates, unknown profile."""
    data = json.loads(
        """{"streams": [
            {"codec_type": "video", "codec_name": "h264", "profile": "High", "width": 1280, "height": 720,
             "level": 31, "bit_rate": "N/A"},
            {"codec_type": "audio", "codec_name": "aac", "profile": "unknown", "sample_rate": "44100",
             "channels": 2, "duration": "12.5"},
            {"codec_type": "data"}],
           "format": {"format_name": "mpegts", "duration": "N/A"}}"""
    )
    info = media_info_from_ffprobe(data)
    assert info.format_name == "mpegts" and info.duration_ms == 12_500 and info.bit_rate is None
    video, audio = info.first("video"), info.first("audio")
    assert (video.width, video.height, video.level, video.bit_rate, video.sample_rate) == (
        1280,
        720,
        31,
        None,
        None,
    )
    assert (audio.profile, audio.sample_rate, audio.channels, audio.width) == (None, 44100, 2, None)
    assert info.streams[2].kind == "data" and info.streams[2].codec == "unknown"
    assert media_info_from_ffprobe({}).streams == []


def test_without_pyav_and_ffprobe_the_error_names_the_package(tmp_path, av_media, monkeypatch):
    monkeypatch.setattr(probe_module, "_pyav", lambda: None)
    monkeypatch.setattr(probe_module, "ffprobe_exe", lambda: None)
    with pytest.raises(MediaError, match=r"neither PyAV nor ffprobe \(Debian package ffmpeg\)"):
        probe(av_media.flavor(302).path)
    with pytest.raises(MediaError, match="Debian package ffmpeg"):
        probe_module.backend()
