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
