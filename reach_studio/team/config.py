"""Which team store to use: env REACH_TEAM_DB, else the setting `team_db_url`; none means working alone."""

from __future__ import annotations

import os


def team_url(settings=None) -> str:
    """The team store URL, or "" when this desktop works alone on its embedded SQLite."""
    env = os.environ.get("REACH_TEAM_DB", "").strip()
    if env:
        return env
    if settings is None:
        from reach_studio.settings import Settings

        settings = Settings()
    return str(settings.get("team_db_url") or "").strip()


def carries_password(url: str) -> bool:
    """Does this libpq URL or keyword string carry a password (user:pw@, ?password=, password=)? One rule for
    the settings file, REACH_TEAM_DB and --team-db: a file or `ps` would show it; ~/.pgpass or PGPASSWORD
    hold it instead."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return bool(conninfo_to_dict(url).get("password"))
    except psycopg.Error:
        return False  # not a connection string at all: connecting says so
