"""The per-event caption token: fresh per task, given as a query parameter, header or first message."""

from __future__ import annotations

import pytest

from reach_studio.live.caption_token import (
    CaptionTokenError,
    check_token,
    new_caption_token,
    token_from_first_message,
    token_from_request,
    token_matches,
)


def test_tokens_are_fresh_and_long():
    tokens = {new_caption_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 40 and "/" not in t and "+" not in t for t in tokens)


def test_only_the_exact_token_matches():
    token = new_caption_token()
    assert token_matches(token, token)
    assert not token_matches(token, token[:-1])
    assert not token_matches(token, token + "x")
    assert not token_matches(token, "")
    assert not token_matches(token, None)
    assert not token_matches("", "")  # an event without a token admits nobody
    assert not token_matches(token, "x" * 10_000)


def test_token_from_query_header_or_first_message():
    assert token_from_request("/captions/12?token=abc") == "abc"
    assert token_from_request("/captions/12?captionToken=abc%2Bd") == "abc+d"
    assert token_from_request("/captions/12", {"Authorization": "Bearer xyz"}) == "xyz"
    assert token_from_request("/captions/12", {"Authorization": "Basic xyz"}) is None
    assert token_from_request("/captions/12") is None
    assert token_from_first_message('{"token": "t1"}') == "t1"
    assert token_from_first_message(b'{"captionToken": "t2"}') == "t2"
    assert token_from_first_message("  t3\n") == "t3"
    assert token_from_first_message('{"hello": 1}') is None
    assert token_from_first_message(b"\xff") is None
    assert token_from_first_message("") is None


def test_refusals_never_repeat_a_token():
    token = new_caption_token()
    with pytest.raises(CaptionTokenError, match="no caption token") as missing:
        check_token(token, None)
    with pytest.raises(CaptionTokenError, match="refused") as wrong:
        check_token(token, "guess-" + token[:5])
    for exc in (missing.value, wrong.value):
        assert token not in str(exc) and token[:5] not in str(exc)
    check_token(token, token)  # no exception
