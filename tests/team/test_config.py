"""Team mode is off unless a URL is set; a URL with a password is refused (the password belongs in .pgpass)."""

from __future__ import annotations

import pytest

from reach_studio.settings import Settings, SettingsError
from reach_studio.team.config import team_url


def test_without_a_url_the_app_works_alone(monkeypatch):
    monkeypatch.delenv("REACH_TEAM_DB", raising=False)
    assert team_url(Settings()) == ""


def test_env_wins_over_the_setting(monkeypatch):
    settings = Settings()
    settings.set("team_db_url", "postgresql://team@db.example/reach")
    monkeypatch.delenv("REACH_TEAM_DB", raising=False)
    assert team_url(settings) == "postgresql://team@db.example/reach"
    monkeypatch.setenv("REACH_TEAM_DB", "postgresql://other@db2/reach")
    assert team_url(settings) == "postgresql://other@db2/reach"


def test_a_password_in_the_url_is_refused():
    with pytest.raises(SettingsError, match="password"):
        Settings().set("team_db_url", "postgresql://team:hunter2@db.example/reach")
    with pytest.raises(SettingsError, match="password"):  # the query form, which urlsplit does not see
        Settings().set("team_db_url", "postgresql://team@db.example/reach?password=hunter2")
    with pytest.raises(SettingsError, match="postgresql://"):
        Settings().set("team_db_url", "mysql://db.example/reach")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://team:hunter2@db.example/reach",
        "postgresql://team@db.example/reach?password=hunter2",
        "host=db.example dbname=reach password=hunter2",
    ],
)
def test_a_password_in_the_env_or_command_line_url_is_refused_before_connecting(url):
    """REACH_TEAM_DB and --team-db bypass the settings check: the store itself refuses, in every libpq form."""
    from reach_studio.team.store import TeamStore, TeamStoreError

    with pytest.raises(TeamStoreError, match="carries a password") as refused:
        TeamStore(url, "ana")
    assert "hunter2" not in str(refused.value)
    TeamStore(url.replace(":hunter2", "").replace("password=hunter2", "sslmode=prefer"), "ana")  # no password
