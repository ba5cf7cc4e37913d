"""Auto-fixes and timing tools: the result a linguist sees, and that the input document is untouched."""

from __future__ import annotations

import copy

import pytest

from reach_studio.domain import caption_fixes as fx
from reach_studio.domain.caption_rules import DEFAULT_RULES, CaptionRules
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.line_breaking import balanced_lines


def doc(*cues: Cue) -> CaptionDocument:
    return CaptionDocument(list(cues), language="English")


def test_balanced_breaks_prefer_punctuation_and_avoid_dangling_articles():
    assert balanced_lines("I told you so, but you never listen to me", 32) == [
        "I told you so,",
        "but you never listen to me",
    ]
    assert balanced_lines("She walked into the room and saw the cat", 32) == [
        "She walked into the room",
        "and saw the cat",
    ]
    assert balanced_lines("The quick brown fox jumps over the lazy dog today", 32) == [
        "The quick brown fox jumps",
        "over the lazy dog today",
    ]
    assert balanced_lines("Short enough", 32) == ["Short enough"]


def test_reflow_keeps_words_and_speaker_and_fits_the_limit():
    d = doc(Cue(0, 3000, "Short\nlines that were broken\nbadly", "Ann"))
    out = fx.reflow_cue(d, 0, CaptionRules(max_chars_per_line=26))
    assert out.cues == [Cue(0, 3000, "Short lines that were\nbroken badly", "Ann")]
    assert d.cues[0].text == "Short\nlines that were broken\nbadly"


def test_reflow_splits_text_too_long_for_two_lines_sharing_the_time():
    text = "First sentence is here. Second sentence follows it closely, and then a third clause ends it."
    out = fx.reflow_cue(doc(Cue(1000, 9000, text)), 0, CaptionRules(max_chars_per_line=26))
    assert len(out.cues) >= 3
    assert out.cues[0].start_ms == 1000 and out.cues[-1].end_ms == 9000
    assert all(a.end_ms == b.start_ms for a, b in zip(out.cues, out.cues[1:]))
    assert all(len(line) <= 26 for c in out.cues for line in c.lines) and all(
        len(c.lines) <= 2 for c in out.cues
    )
    assert " ".join(" ".join(c.lines) for c in out.cues) == text


def test_split_and_merge_are_inverse_on_words_and_time():
    d = doc(Cue(0, 4000, "Hello there, how are you doing today?", "Bo"))
    split = fx.split_cue(d, 0)
    assert [c.text for c in split.cues] == ["Hello there,", "how are you doing today?"]
    assert split.cues[0].end_ms == split.cues[1].start_ms and split.cues[1].end_ms == 4000
    merged = fx.merge_cues(split, 0)
    assert merged.cues == [Cue(0, 4000, "Hello there,\nhow are you doing today?", "Bo")]


def test_split_at_a_cursor_position():
    d = doc(Cue(0, 1000, "abc def"))
    assert [c.text for c in fx.split_cue(d, 0, at_char=3).cues] == ["abc", "def"]
    with pytest.raises(fx.CaptionFixError):
        fx.split_cue(doc(Cue(0, 1000, "word")), 0)


def test_merging_two_speakers_is_refused():
    with pytest.raises(fx.CaptionFixError):
        fx.merge_cues(doc(Cue(0, 1, "a", "A"), Cue(1, 2, "b", "B")), 0)


def test_shift_stretch_and_two_point_retime():
    d = doc(Cue(1000, 2000, "a"), Cue(3000, 4000, "b"))
    assert [(c.start_ms, c.end_ms) for c in fx.shift(d, 500).cues] == [(1500, 2500), (3500, 4500)]
    assert [(c.start_ms, c.end_ms) for c in fx.shift(d, 500, first=1).cues] == [(1000, 2000), (3500, 4500)]
    with pytest.raises(fx.CaptionFixError):
        fx.shift(d, -1500)
    assert [(c.start_ms, c.end_ms) for c in fx.stretch(d, 1.5).cues] == [(1500, 3000), (4500, 6000)]
    retimed = fx.retime(d, (1000, 1100), (3000, 3300))
    assert [(c.start_ms, c.end_ms) for c in retimed.cues] == [(1100, 2200), (3300, 4400)]


def test_min_gap_enforced_without_moving_starts():
    d = doc(Cue(0, 1000, "a"), Cue(1020, 2000, "b"), Cue(2500, 3000, "c"))
    out = fx.enforce_min_gap(d, 83)
    assert [(c.start_ms, c.end_ms) for c in out.cues] == [(0, 937), (1020, 2000), (2500, 3000)]


def test_profanity_masking_is_consistent_everywhere():
    d = doc(Cue(0, 1, "damn it"), Cue(1, 2, "DAMN, and sh1t"))
    out = fx.mask_profanity_in(d)
    assert [c.text for c in out.cues] == ["d*** it", "D***, and s***"]
    assert fx.mask_profanity_in(out) == out


def test_speaker_tools():
    d = doc(Cue(0, 1, "[Host] Welcome"), Cue(1, 2, "more"), Cue(2, 3, ">> Someone else"))
    inline = fx.extract_inline_speakers(d)
    assert [(c.speaker, c.text) for c in inline.cues] == [
        ("Host", "Welcome"),
        (None, "more"),
        (None, "Someone else"),
    ]
    carried = fx.carry_speakers_forward(inline)
    assert [c.speaker for c in carried.cues] == ["Host", "Host", "Host"]
    baked = fx.bake_speaker_marks(fx.set_speaker(carried, [2], "Guest"), "both")
    assert [c.text for c in baked.cues] == [">> [Host] Welcome", "[Host] more", ">> [Guest] Someone else"]
    assert all(c.speaker is None for c in baked.cues)


def test_remove_audio_tags_keeps_speech_and_speaker_labels():
    assert fx.remove_audio_tags("[MUSIC]\n[Speaker 1] Hello (laughs) there ♪") == "[Speaker 1] Hello there"


def test_clamp_remove_and_sort():
    d = doc(Cue(5000, 7000, "b"), Cue(0, 1000, "a"), Cue(9000, 9500, "gone"), Cue(6000, 6500, " "))
    assert [c.text for c in fx.sort_cues(d).cues] == ["a", "b", " ", "gone"]
    assert [(c.text, c.end_ms) for c in fx.clamp_to_media(d, 6500).cues] == [
        ("b", 6500),
        ("a", 1000),
        (" ", 6500),
    ]
    assert [c.text for c in fx.remove_empty(d).cues] == ["b", "a", "gone"]
    with pytest.raises(fx.CaptionFixError):
        fx.remove_cue(d, 10)


def test_fixes_never_mutate_their_input():
    d = doc(Cue(0, 4000, "Hello there, how are you doing today? damn", "A"), Cue(3000, 5000, "b", "A"))
    before = copy.deepcopy(d)
    for f in (
        lambda x: fx.reflow_cue(x, 0, CaptionRules(max_chars_per_line=10)),
        lambda x: fx.split_cue(x, 0),
        lambda x: fx.merge_cues(x, 0),
        lambda x: fx.shift(x, 10),
        lambda x: fx.enforce_min_gap(x),
        fx.mask_profanity_in,
        lambda x: fx.trim_overlap(x, 1),
        fx.carry_speakers_forward,
    ):
        f(d)
        assert d == before


def test_japanese_is_reflowed_between_characters_never_starting_a_line_with_punctuation():
    rules = CaptionRules(max_chars_per_line=13)
    text = "今日はとても良い天気ですね。散歩に行きましょう。公園でお弁当を食べましょう。"
    out = fx.reflow_cue(doc(Cue(0, 9000, text)), 0, rules)
    lines = [line for c in out.cues for line in c.lines]
    assert "".join(lines) == text
    assert all(len(line) <= 13 for line in lines) and all(len(c.lines) <= 2 for c in out.cues)
    assert not any(line.startswith(("。", "、")) for line in lines)
    assert len(out.cues) >= 2 and out.cues[-1].end_ms == 9000


def test_reflow_after_a_speaker_label_keeps_a_word_beside_it():
    """ ">> [Prof. Okafor] Welcome everyone" is 34 characters for a limit of 32: the best break falls right
    after the label, but the label is delivered on the text's first line, so breaking there changed nothing
    and the Fix button (and Alt+R) left the error in place; a word goes beside the label instead."""
    d = doc(Cue(1150, 3500, "Welcome everyone", "Prof. Okafor"))
    prefix = len(">> [Prof. Okafor]")
    out = fx.reflow_cue(d, 0, CaptionRules(max_chars_per_line=32), prefix_len=prefix)
    assert out.cues == [Cue(1150, 3500, "Welcome\neveryone", "Prof. Okafor")]
    first = ">> [Prof. Okafor] " + out.cues[0].lines[0]
    assert len(first) <= 32


def test_reflow_readable_gives_each_cue_its_reading_time_and_the_gap_or_refuses():
    """The linguist's Re-break (Alt+R, the problems panel): a short tail is not left at 0.7 s, the cues keep
    the minimum gap, and a cue whose time cannot hold the text readably is refused with how long it needs."""
    rules = CaptionRules(max_chars_per_line=32)
    d = doc(Cue(13000, 18000, "Today we look at the muscles of the upper arm together", "Ann"))
    out = fx.reflow_readable(d, 0, rules, prefix_len=len("[Ann]"))
    assert len(out.cues) == 2 and out.cues[0].start_ms == 13000 and out.cues[-1].end_ms == 18000
    assert out.cues[1].start_ms - out.cues[0].end_ms == rules.min_gap_ms
    assert all(c.end_ms - c.start_ms >= rules.min_duration_ms for c in out.cues)
    text = "Thirty six characters a second is more than anyone can read on a screen at once"
    with pytest.raises(fx.CaptionFixError, match=r"2\.2 s is too short .* needs about 3\.9 s"):
        fx.reflow_readable(doc(Cue(1000, 3200, text)), 0, CaptionRules(max_chars_per_line=26))
    split = fx.split_keeping_gap(doc(Cue(0, 4000, "Hello there, how are you doing today?")), 0)
    assert split.cues[1].start_ms - split.cues[0].end_ms == DEFAULT_RULES.min_gap_ms
