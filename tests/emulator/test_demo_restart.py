"""The demo keeps its account across restarts: drafts and claimed tasks are stored under the account's key
(service URL + vendor partner), so a demo that came back on another port would orphan them ("sign in to this
task's account" on the restored task, its media never downloaded)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from reach_studio.demo import start_demo


def _share_media(tmp_path, emulator_media_cache, monkeypatch):
    """The demo's media cache is the test run's (ffmpeg once per run)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "emulator-media").symlink_to(emulator_media_cache, target_is_directory=True)
    monkeypatch.setattr("reach_studio.paths.cache_dir", lambda: cache)


def test_a_restarted_demo_is_the_same_account(tmp_path, emulator_media_cache, monkeypatch):
    _share_media(tmp_path, emulator_media_cache, monkeypatch)
    first, account = start_demo(tmp_path / "emu")
    first.stop()
    again, account_again = start_demo(tmp_path / "emu")
    try:
        assert account_again.key == account.key
        assert account_again.service_url == account.service_url
    finally:
        again.stop()


def test_the_demo_still_starts_when_its_last_port_is_taken(tmp_path, emulator_media_cache, monkeypatch):
    _share_media(tmp_path, emulator_media_cache, monkeypatch)
    first, account = start_demo(tmp_path / "emu")
    port = urlsplit(first.url).port
    first.stop()
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", port))
    squatter.listen(1)
    try:
        again, account_again = start_demo(tmp_path / "emu")
        try:
            assert account_again.service_url != account.service_url  # another port, but it runs
            assert again.inspect.objects("task")
        finally:
            again.stop()
    finally:
        squatter.close()
