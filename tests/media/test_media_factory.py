"""The emulator's generated entries: Kaltura-like flavors, cached, atomically written, cut into clean HLS."""

from __future__ import annotations

import json

import av
import pytest

from reach_studio.emulator import media_factory
from reach_studio.emulator.media_factory import build_entry_media, hls_rendition
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe
from reach_studio.media.probe import probe


def test_video_entry_has_source_two_sizes_and_audio_only(av_media):
    by_id = {f.flavor_params_id: f for f in av_media.flavors}
    assert set(by_id) == {0, 301, 302, 303}
    assert by_id[0].is_original and not by_id[301].is_original
    for fid, (w, h) in {301: (320, 180), 302: (640, 360)}.items():
        info = probe(by_id[fid].path)
        assert (
            (info.first("video").width, info.first("video").height)
            == (w, h)
            == (by_id[fid].width, by_id[fid].height)
        )
        assert info.first("video").codec == "h264" and info.first("audio").codec == "aac"
    audio_only = probe(by_id[303].path)
    assert not audio_only.has_video and audio_only.first("audio").profile == "LC"
    assert "mp4" in audio_only.format_name
    assert by_id[303].has_video is False and by_id[303].video_codec_id == ""
    assert by_id[301].bitrate_kbps < by_id[302].bitrate_kbps < by_id[0].bitrate_kbps
    for f in av_media.flavors:
        assert f.size == f.path.stat().st_size and abs(probe(f.path).duration_ms - 6000) < 150


def test_audio_entry_has_no_video_flavors(audio_media):
    assert {f.flavor_params_id for f in audio_media.flavors} == {0, 303}
    assert not any(probe(f.path).has_video for f in audio_media.flavors)


def test_keyframes_every_two_seconds(av_media):
    with av.open(str(av_media.flavor(301).path)) as container:
        stream = container.streams.video[0]
        keys = [
            float(p.pts * stream.time_base)
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        ]
    assert keys[:3] == pytest.approx([0.0, 2.0, 4.0], abs=0.1)


def test_audio_sounds_like_speech_bursts_and_pauses(audio_media):
    import numpy as np

    with open_ffmpeg_pipe(
        ["-i", str(audio_media.flavor(303).path), "-f", "s16le", "-ac", "1", "-ar", "8000", "pipe:1"]
    ) as pipe:
        pcm = np.frombuffer(pipe.stdout.read(), dtype="<i2").astype(np.float32)
        pipe.finish()
    windows = np.abs(pcm[: len(pcm) // 800 * 800].reshape(-1, 800)).max(axis=1)  # 100 ms windows
    loud, quiet = windows > 3000, windows < 300
    assert loud.mean() > 0.3 and quiet.mean() > 0.1  # talk with pauses, not a constant tone nor silence


def test_cache_hit_does_no_work(av_media, media_cache, monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError("ffmpeg should not run on a cache hit")

    monkeypatch.setattr(media_factory, "run_ffmpeg", refuse)
    again = build_entry_media(media_cache, 6.0, variant="tests")
    assert [f.path for f in again.flavors] == [f.path for f in av_media.flavors]


def test_half_written_cache_is_rebuilt_not_trusted(tmp_path):
    first = build_entry_media(tmp_path, 2.0, video=False, variant="half")
    folder = first.flavors[0].path.parent
    # a killed run: a flavor truncated after the manifest was written
    with open(first.flavor(303).path, "r+b") as fh:
        fh.truncate(100)
    again = build_entry_media(tmp_path, 2.0, video=False, variant="half")
    assert (
        again.flavor(303).path.stat().st_size
        == json.loads((folder / "media.json").read_text())["flavors"][1]["size"]
    )
    assert probe(again.flavor(303).path).first("audio").codec == "aac"
    # and no temporary folders are left behind
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_variants_and_lengths_are_cached_apart(tmp_path):
    a = build_entry_media(tmp_path, 2.0, video=False, variant="one")
    b = build_entry_media(tmp_path, 2.0, video=False, variant="two")
    c = build_entry_media(tmp_path, 3.0, video=False, variant="one")
    assert len({a.flavors[0].path.parent, b.flavors[0].path.parent, c.flavors[0].path.parent}) == 3
    assert c.duration_ms == 3000


def test_bad_length_is_refused(tmp_path):
    with pytest.raises(MediaError):
        build_entry_media(tmp_path, 0)


def test_hls_audio_only_has_no_video_and_covers_the_entry(av_media):
    folder = hls_rendition(av_media.flavor(301), "a", segment_s=2.0)
    playlist = (folder / "index.m3u8").read_text()
    segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
    assert 3 <= len(segments) <= 4 and all((folder / s).is_file() for s in segments)
    info = probe(folder / "index.m3u8")
    assert not info.has_video and info.first("audio").codec == "aac"
    assert abs(info.duration_ms - 6000) < 300


def test_hls_av_and_video_only_tracks(av_media):
    av_info = probe(hls_rendition(av_media.flavor(302), "av") / "index.m3u8")
    assert av_info.has_video and av_info.has_audio
    v_info = probe(hls_rendition(av_media.flavor(302), "v") / "index.m3u8")
    assert v_info.has_video and not v_info.has_audio
    assert hls_rendition(av_media.flavor(302), "av") == hls_rendition(av_media.flavor(302), "av")


def test_hls_video_of_an_audio_flavor_is_refused(av_media):
    with pytest.raises(MediaError, match="no video"):
        hls_rendition(av_media.flavor(303), "v")
    with pytest.raises(MediaError, match="track selection"):
        hls_rendition(av_media.flavor(303), "x")


def test_long_entries_loop_the_speech_and_keep_their_length(tmp_path, monkeypatch):
    from reach_studio.media.waveform import compute_waveform

    monkeypatch.setattr(media_factory, "SPEECH_BED_S", 3.0)  # loop after 3 s instead of 2 minutes
    media = build_entry_media(tmp_path, 12.0, variant="long-ish")
    for flavor in media.flavors:
        assert abs(probe(flavor.path).duration_ms - 12_000) < 150
    wave = compute_waveform(media.flavor(303).path, use_cache=False)
    for start in (0, 3000, 6000, 9000):  # every pass of the looped bed has sound and pauses
        _, maxs = wave.peaks_between(start, start + 3000, 30)
        assert maxs.max() > 0.1 and maxs.min() < 0.01
