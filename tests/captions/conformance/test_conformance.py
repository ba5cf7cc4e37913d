"""Conformance suite: one small file per rule of each format (SRT as its common readers define it, WebVTT
per the W3C parsing algorithm, TTML 1 / DFXP timing and whitespace), each next to a .json of what it must
give: its cues and the repairs listed with their lines, or the project's own parse error naming the line
(and, for damaged files, what import keeps and lists instead).

Sidecar keys: "rule" (what the fixture shows), "cues" ([start_ms, end_ms, text, speaker?] each),
"repairs" ([kind, line] each, in order), "error" ({"line", "contains"}), "import" ({"cues", "repairs"}),
"language" (the task language, for legacy code pages).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reach_studio.domain.captions import Cue
from reach_studio.domain.formats import CaptionParseError, import_captions, read_captions

HERE = Path(__file__).parent
FIXTURES = sorted(p for fmt in ("srt", "vtt", "dfxp") for p in (HERE / fmt).glob(f"*.{fmt}"))


def _cues(rows: list[list]) -> list[Cue]:
    return [Cue(row[0], row[1], row[2], row[3] if len(row) > 3 else None) for row in rows]


def _kinds(repairs) -> list[list]:
    return [[r.kind, r.line] for r in repairs]


def test_every_format_has_fixtures_and_every_fixture_a_sidecar():
    for fmt in ("srt", "vtt", "dfxp"):
        assert len(list((HERE / fmt).glob(f"*.{fmt}"))) >= 10
    for path in FIXTURES:
        assert path.with_suffix(".json").is_file(), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_gives_its_cues_or_its_error(path: Path):
    expect = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    fmt = path.parent.name
    language = expect.get("language")
    if "error" in expect:
        with pytest.raises(CaptionParseError) as err:
            read_captions(path, fmt, language=language)
        assert err.value.file == path.name
        assert err.value.line == expect["error"]["line"], str(err.value)
        assert expect["error"]["contains"] in err.value.message, str(err.value)
        if "import" in expect:
            doc, repairs = import_captions(path, fmt, language=language)
            assert doc.cues == _cues(expect["import"]["cues"])
            assert _kinds(repairs) == expect["import"]["repairs"]
        return
    repairs: list = []
    doc = read_captions(path, fmt, language=language, repairs=repairs)
    assert doc.cues == _cues(expect["cues"])
    assert _kinds(repairs) == expect["repairs"]
    imported, listed = import_captions(path, fmt, language=language)  # import agrees with reading
    assert imported.cues == doc.cues and _kinds(listed) == expect["repairs"]
    assert all(r.message for r in listed)
