"""Profanity word list and the customer's dictionary."""

from __future__ import annotations

from reach_studio.domain.dictionary_check import DictionaryChecker
from reach_studio.domain.profanity import contains_profanity, find_profanity, mask_profanity, mask_word


def test_profanity_whole_words_leetspeak_and_phrases():
    assert [h.word for h in find_profanity("What the fuck, sh1t, f.u.c.k!")] == ["fuck", "sh1t", "f.u.c.k"]
    assert not contains_profanity("Scunthorpe is a town; the class assessed passes")
    assert contains_profanity("a 2 girls 1 cup reference")


def test_masking_keeps_first_letter_and_length_and_is_idempotent():
    assert mask_word("shit") == "s***"
    text = "Oh shit. SHIT! bullshit"
    once = mask_profanity(text)
    assert once == "Oh s***. S***! b*******"
    assert mask_profanity(once) == once and len(once) == len(text)


def test_dictionary_case_and_near_misses_and_multiword_terms():
    checker = DictionaryChecker(["Kaltura", "REACH", "machine learning", "API"])
    hits = checker.check(
        "kaltura and Kalturra use the Reach api for machine lerning; culture reaches Kaltura"
    )
    assert [(h.found, h.term, h.kind) for h in hits] == [
        ("kaltura", "Kaltura", "case"),
        ("Kalturra", "Kaltura", "near"),
        ("Reach", "REACH", "case"),
        ("api", "API", "case"),
        ("machine lerning", "machine learning", "near"),
    ]
    assert checker.correct("Kalturra's API") == "Kaltura's API"


def test_dictionary_ignores_short_near_misses_and_empty_terms():
    checker = DictionaryChecker(["Bob", "", "  "])
    assert checker.terms == ["Bob"]
    assert checker.check("Rob and bob") == [checker.check("bob")[0].__class__(8, 11, "bob", "Bob", "case")]
