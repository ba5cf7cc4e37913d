"""Dubbing/AD audio tracks come out as Kaltura wants them (MP4, AAC-LC, 64/128 kbps) and bad ones are named."""

from __future__ import annotations

import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media.audio_delivery import check_aac_lc, encode_aac_lc
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.probe import probe

SPEECH = "aevalsrc='0.4*sin(2*PI*160*t)*(0.5+0.5*sin(2*PI*4*t))*gt(sin(2*PI*t/3),-0.3)|0.3*sin(2*PI*240*t)':s={rate}:d=6"


@pytest.fixture(scope="module")
def dub_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("dub") / "dub.wav"
    run_ffmpeg(["-f", "lavfi", "-i", SPEECH.format(rate=48000), "-c:a", "pcm_s16le", str(path)])
    return path


def noise(tmp_path, name, *codec_args):
    path = tmp_path / name
    run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=4:a=0.2", *codec_args, str(path)])
    return path


@pytest.mark.parametrize("kbps", [64, 128])
def test_wav_becomes_an_acceptable_track(dub_wav, tmp_path, kbps):
    seen = []
    out = encode_aac_lc(
        dub_wav, tmp_path / f"dub-{kbps}.mp4", kbps=kbps, progress=lambda d, t: seen.append((d, t))
    )
    audio = probe(out).first("audio")
    assert (audio.codec, audio.profile, audio.channels, audio.sample_rate) == ("aac", "LC", 2, 48000)
    assert not probe(out).has_video
    assert check_aac_lc(out) == []
    assert seen[-1] == (6000, 6000)


def test_clear_audio_is_extracted_from_a_video(av_media, tmp_path):
    out = encode_aac_lc(av_media.flavor(302).path, tmp_path / "clear.m4a", kbps=64)
    info = probe(out)
    assert not info.has_video and abs(info.duration_ms - 6000) < 100
    assert check_aac_lc(out) == []


def test_odd_sample_rates_become_48k(tmp_path):
    src = tmp_path / "low.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=2:a=0.2:r=22050", "-c:a", "pcm_s16le", str(src)])
    out = encode_aac_lc(src, tmp_path / "low.mp4", kbps=64)
    assert probe(out).first("audio").sample_rate == 48000 and probe(out).first("audio").channels == 1


def test_only_64_or_128_kbps_can_be_asked_for(dub_wav, tmp_path):
    with pytest.raises(MediaError, match="64 or 128"):
        encode_aac_lc(dub_wav, tmp_path / "x.mp4", kbps=96)


def test_source_without_audio_is_refused(tmp_path):
    src = tmp_path / "picture.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:d=1", "-c:v", "libx264", str(src)])
    with pytest.raises(MediaError, match="no audio"):
        encode_aac_lc(src, tmp_path / "x.mp4")


def test_cancel_leaves_no_file(dub_wav, tmp_path):
    token = CancelToken()
    dest = tmp_path / "x.mp4"
    with pytest.raises(Cancelled):
        encode_aac_lc(dub_wav, dest, progress=lambda d, t: token.cancel(), token=token)
    assert list(tmp_path.iterdir()) == []


def test_wrong_bitrates_are_named(tmp_path):
    high = noise(tmp_path, "high.mp4", "-c:a", "aac", "-b:a", "192k")
    low = noise(tmp_path, "low.mp4", "-c:a", "aac", "-b:a", "32k")
    assert any("192" in p or "bit rate" in p for p in check_aac_lc(high))
    assert any("bit rate" in p for p in check_aac_lc(low))
    assert check_aac_lc(noise(tmp_path, "ok.mp4", "-c:a", "aac", "-b:a", "128k")) == []
    assert check_aac_lc(high, allowed_kbps=(192,)) == []


def test_wrong_codec_container_or_tracks_are_named(tmp_path, av_media):
    mp3 = noise(tmp_path, "mp3.mp4", "-c:a", "libmp3lame", "-b:a", "128k")
    assert any("codec is mp3" in p for p in check_aac_lc(mp3))
    adts = noise(tmp_path, "raw.aac", "-c:a", "aac", "-b:a", "128k", "-f", "adts")
    assert any("not MP4" in p for p in check_aac_lc(adts))
    wav = noise(tmp_path, "raw.wav", "-c:a", "pcm_s16le")
    problems = check_aac_lc(wav)
    assert any("not MP4" in p for p in problems) and any("not AAC" in p for p in problems)
    assert any("video track" in p for p in check_aac_lc(av_media.flavor(301).path))


def test_unreadable_file_is_one_problem(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 100)
    problems = check_aac_lc(junk)
    assert len(problems) == 1 and "junk.mp4" in problems[0]
