"""The mixer puts each take where it belongs, ducks the original there only, and writes a deliverable track."""

from __future__ import annotations

import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.media.audio_mix import (
    Placement,
    duck_windows,
    extract_clear_audio,
    import_take,
    mix_voice_track,
)
from reach_studio.media.errors import MediaError
from reach_studio.media.probe import probe

from .conftest import decode_pcm, tone_level

RATE = 16000


def test_take_is_heard_at_its_time_and_the_original_is_ducked_only_there(voice_media, tmp_path):
    out = tmp_path / "ad.mp4"
    seen = []
    mix_voice_track(
        voice_media["clip"],
        [Placement(1500, voice_media["take"])],
        out,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert check_aac_lc(out) == []
    info = probe(out)
    assert not info.has_video and abs(info.duration_ms - 4000) < 150
    pcm = decode_pcm(out, RATE)
    before = tone_level(pcm, RATE, 440, 0.3, 1.2)
    under = tone_level(pcm, RATE, 440, 1.7, 2.3)
    after = tone_level(pcm, RATE, 440, 2.9, 3.8)
    assert under < before * 0.35  # ducked by about 14 dB under the take
    assert after > before * 0.8  # and back to full level after it
    assert tone_level(pcm, RATE, 1000, 1.7, 2.3) > 0.1  # the take is there...
    assert tone_level(pcm, RATE, 1000, 0.2, 1.2) < 0.01  # ...and not before
    assert tone_level(pcm, RATE, 1000, 2.8, 3.8) < 0.01  # ...nor after
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the end


def test_clear_audio_is_the_original_alone_as_aac_lc(voice_media, tmp_path):
    out = extract_clear_audio(voice_media["clip"], tmp_path / "clear.mp4", kbps=64)
    assert check_aac_lc(out) == []
    pcm = decode_pcm(out, RATE)
    assert tone_level(pcm, RATE, 440, 1.5, 2.5) > 0.1  # lavfi sine amplitude is 1/8
    assert tone_level(pcm, RATE, 1000, 1.5, 2.5) < 0.01


def test_import_take_converts_and_measures(voice_media, tmp_path):
    length = import_take(voice_media["clip"], tmp_path / "takes" / "t.wav")
    assert abs(length - 4000) < 100
    assert probe(tmp_path / "takes" / "t.wav").first("audio").sample_rate == 48000


def test_bad_inputs_give_media_errors(voice_media, tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    with pytest.raises(MediaError):
        mix_voice_track(voice_media["clip"], [Placement(0, junk)], tmp_path / "x.mp4")
    with pytest.raises(MediaError):
        mix_voice_track(voice_media["signed"], [], tmp_path / "x.mp4")  # no audio to mix over
    with pytest.raises(MediaError):
        import_take(junk, tmp_path / "t.wav")
    assert not (tmp_path / "x.mp4").exists()


def test_cancel_stops_the_mix_and_leaves_no_file(voice_media, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        mix_voice_track(
            voice_media["clip"], [Placement(0, voice_media["take"])], tmp_path / "c.mp4", token=token
        )
    assert [p.name for p in tmp_path.iterdir()] == []


def test_duck_windows_merge_close_takes():
    assert duck_windows([(1000, 500), (1600, 400), (5000, 100)], margin_ms=100) == [(900, 2100), (4900, 5200)]
    assert duck_windows([(50, 100)], margin_ms=100) == [(0, 250)]


def test_a_wav_take_that_looks_like_mpeg_ts_to_ffmpeg_is_still_mixed(voice_media, tmp_path):
    """A pure 1 kHz tone at this level makes ffmpeg's probe guess MPEG-TS for a plain WAV (seen in a test)."""
    import wave

    import numpy as np

    t = np.arange(48000) / 48000
    take = tmp_path / "tone.wav"
    with wave.open(str(take), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes((np.sin(2 * np.pi * 1000 * t) * 12000).astype("<i2").tobytes())
    out = mix_voice_track(voice_media["clip"], [Placement(500, take)], tmp_path / "m.mp4")
    assert tone_level(decode_pcm(out, RATE), RATE, 1000, 0.7, 1.3) > 0.1


def test_a_long_script_is_ducked_by_a_chain_of_filters(tmp_path):
    """ffmpeg refuses one enable expression with more than ~50 windows (seen with 120 takes)."""
    from reach_studio.media import audio_mix
    from tests.factories import ffmpeg

    original = tmp_path / "long.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=27", str(original))
    take = tmp_path / "blip.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.02", str(take))
    count = 60  # one expression of 60 windows is refused by ffmpeg
    placements = [Placement(300 + 400 * i, take) for i in range(count)]
    graph = audio_mix.mix_filter([(p.start_ms, 20) for p in placements])
    assert graph.count("volume=volume=") == 3
    out = mix_voice_track(original, placements, tmp_path / "long.mp4")
    pcm = decode_pcm(out, RATE)
    last = placements[-1].start_ms / 1000  # ducked by the last filter of the chain
    assert tone_level(pcm, RATE, 440, last - 0.1, last + 0.15) < 0.4 * tone_level(pcm, RATE, 440, 25.0, 26.5)


def test_overlapping_takes_are_both_heard(voice_media, tmp_path):
    from tests.factories import ffmpeg

    low = tmp_path / "low.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=700:sample_rate=48000:duration=1.5", str(low))
    out = mix_voice_track(
        voice_media["clip"], [Placement(500, low), Placement(1200, voice_media["take"])], tmp_path / "o.mp4"
    )
    pcm = decode_pcm(out, RATE)
    assert tone_level(pcm, RATE, 700, 1.3, 1.9) > 0.1 and tone_level(pcm, RATE, 1000, 1.3, 1.9) > 0.1
    assert tone_level(pcm, RATE, 700, 2.2, 2.8) < 0.01 and tone_level(pcm, RATE, 1000, 2.4, 3.0) < 0.01
