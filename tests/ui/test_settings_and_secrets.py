"""Settings persist across restarts with validation; tokens go to the keyring or stay in memory only."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backend import KeyringBackend

from reach_studio import paths
from reach_studio.secret_store import SecretStore, account_id
from reach_studio.settings import OPTIONS, Settings, SettingsError


def test_defaults_then_changes_persist_across_restart():
    s = Settings()
    assert s.get("poll_interval_s") == OPTIONS["poll_interval_s"].default
    s.set("poll_interval_s", 45)
    s.set("processing_regions", ["EU"])
    s.set("hotkeys", {"claim": "Ctrl+K"})
    again = Settings()
    assert again.get("poll_interval_s") == 45
    assert again.get("processing_regions") == ["EU"]
    assert again.get("hotkeys")["claim"] == "Ctrl+K"
    assert again.get("hotkeys")["refresh"] == "F5"  # unchanged hotkeys keep their defaults
    assert (paths.config_dir() / "settings.json").exists()


def test_a_setting_saved_elsewhere_survives_another_object_saving_its_own():
    """The main window keeps one Settings from start-up and saves the window's size after each resize; an
    editor saves the import folder through its own. The window's save wrote its older copy back: the
    import folder (and the description rate) were lost at the next resize."""
    window, editor = Settings(), Settings()
    editor.set("import_dir", "/home/ana/takes")
    window.set("window_geometry", "AdnQywADAAA=")
    again = Settings()
    assert again.get("import_dir") == "/home/ana/takes"
    assert again.get("window_geometry") == "AdnQywADAAA="
    assert window.get("import_dir") == "/home/ana/takes"


def test_invalid_values_are_refused_with_the_setting_named():
    s = Settings()
    with pytest.raises(SettingsError, match="poll_interval_s.*between"):
        s.set("poll_interval_s", 1)
    with pytest.raises(SettingsError, match="must be int"):
        s.set("cache_size_mb", "lots")
    with pytest.raises(SettingsError, match="regions"):
        s.set("processing_regions", ["MARS"])
    with pytest.raises(SettingsError, match="no setting called"):
        s.get("colour")
    with pytest.raises(SettingsError, match="keyring"):
        s.set(
            "accounts", [{"service_url": "https://api.kaltura.com", "vendor_partner_id": 1, "app_token": "x"}]
        )
    assert s.get("poll_interval_s") == 30


def test_damaged_file_falls_back_to_defaults_and_is_kept_aside():
    path = paths.config_dir() / "settings.json"
    path.write_text("{ not json", encoding="utf-8")
    s = Settings()
    assert s.get("poll_interval_s") == 30
    assert (paths.config_dir() / "settings.damaged.json").exists()
    s.set("poll_interval_s", 60)
    assert json.loads(path.read_text())["poll_interval_s"] == 60


class _MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self):
        super().__init__()
        self.data = {}

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def get_password(self, service, username):
        return self.data.get((service, username))

    def delete_password(self, service, username):
        self.data.pop((service, username), None)


def test_without_a_keyring_the_token_is_session_only_and_never_written_to_disk():
    store = SecretStore()  # conftest selects keyring's null backend, as on a headless machine
    assert not store.persistent
    assert "this session only" in store.describe()
    key = account_id("https://api.kaltura.com/", 123)
    store.set(key, "tok-SECRET-123")
    assert store.get(key) == "tok-SECRET-123"
    assert SecretStore().get(key) is None  # a new session does not have it
    for f in paths.data_dir().parent.rglob("*"):
        if f.is_file():
            assert b"tok-SECRET-123" not in f.read_bytes()


def test_with_a_keyring_the_token_survives_a_new_session():
    previous = keyring.get_keyring()
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        store = SecretStore()
        assert store.persistent
        store.set("https://x|1", "tok")
        assert SecretStore().get("https://x|1") == "tok"
        store.delete("https://x|1")
        assert SecretStore().get("https://x|1") is None
    finally:
        keyring.set_keyring(previous)
