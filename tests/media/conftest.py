"""Generated media shared by the media tests (made once per session, a few seconds long)."""

from __future__ import annotations

import pytest

from reach_studio.emulator.media_factory import GeneratedMedia, build_entry_media


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("media-cache")


@pytest.fixture(scope="session")
def av_media(media_cache) -> GeneratedMedia:
    return build_entry_media(media_cache, 6.0, variant="tests")


@pytest.fixture(scope="session")
def audio_media(media_cache) -> GeneratedMedia:
    return build_entry_media(media_cache, 6.0, video=False, variant="tests-audio")
