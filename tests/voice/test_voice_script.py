"""The voice script: lines stay in time order, takes are tracked, drafts round-trip, bad data is refused."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.voice_script import VoiceLine, VoiceScript, VoiceScriptError


def test_dubbing_script_starts_from_the_captions_and_skips_empty_cues():
    doc = CaptionDocument(
        [Cue(0, 2000, "Hola\namigos"), Cue(2500, 3000, "  "), Cue(4000, 6000, "Adiós")], language="Spanish"
    )
    script = VoiceScript.from_captions(doc)
    assert [(ln.start_ms, ln.end_ms, ln.text) for ln in script.lines] == [
        (0, 2000, "Hola amigos"),
        (4000, 6000, "Adiós"),
    ]
    assert script.language == "Spanish" and script.kind == "dubbing"


def test_lines_stay_sorted_and_takes_are_placed(tmp_path):
    script = VoiceScript("audio_description", "English")
    assert script.add_line(5000, "A door opens.") == 0
    assert script.add_line(1000, "Night. A city.") == 0
    take = tmp_path / "t.wav"
    take.write_bytes(b"x")
    script.set_take(1, take, 1200)
    assert script.takes() == [(5000, take)]
    assert script.missing_takes() == [0]
    assert script.problems() == ["line 1: no take recorded"]
    assert script.set_start(1, 500) == 0  # moved before the other line
    assert [ln.text for ln in script.lines] == ["A door opens.", "Night. A city."]


def test_problems_name_overlaps_missing_files_and_late_takes(tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    a.write_bytes(b"x")
    script = VoiceScript(
        "dubbing",
        "French",
        [VoiceLine(0, "un", take=str(a), take_ms=3000), VoiceLine(2000, "deux", take=str(b), take_ms=500)],
    )
    assert script.problems(media_duration_ms=2000) == [
        "line 2: the take file is missing (b.wav)",
        "line 1: the take runs into line 2",
        "line 1: the take ends after the media (3000 ms > 2000 ms)",
        "line 2: the take ends after the media (2500 ms > 2000 ms)",
    ]
    assert VoiceScript("dubbing").problems() == ["There are no lines yet"]


def test_draft_round_trip_and_aligned_captions():
    script = VoiceScript("dubbing", "Japanese", [VoiceLine(1000, "こんにちは", 2500, "/takes/1.wav", 1300)])
    again = VoiceScript.from_dict(script.to_dict())
    assert again == script
    doc = again.aligned_captions(accuracy=90)
    assert [(c.start_ms, c.end_ms, c.text) for c in doc.cues] == [(1000, 2300, "こんにちは")]
    assert doc.accuracy == 90 and doc.language == "Japanese"


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "karaoke", "lines": []},
        {"kind": "dubbing", "lines": [{"text": "no start"}]},
        {"kind": "dubbing", "lines": [{"start_ms": -5}]},
        {"kind": "dubbing", "lines": [{"start_ms": 100, "end_ms": 50}]},
        {"kind": "dubbing", "lines": ["text"]},
        {"kind": "dubbing", "version": 99, "lines": []},
        "not a dict",
    ],
)
def test_damaged_drafts_raise_voice_script_error(bad):
    with pytest.raises(VoiceScriptError):
        VoiceScript.from_dict(bad)


def test_index_errors_are_voice_script_errors():
    script = VoiceScript("dubbing")
    with pytest.raises(VoiceScriptError, match="no line 1"):
        script.set_text(0, "x")
    script.add_line(0)
    with pytest.raises(VoiceScriptError, match="empty"):
        script.set_take(0, "/t.wav", 0)
