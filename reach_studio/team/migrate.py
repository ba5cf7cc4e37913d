"""Schema migrations of the team store: numbered SQL files in `migrations/`, applied on start.

Why it exists: every desktop and the supervisor open the same database, possibly at the same moment and
from different versions. Each start applies the files not yet recorded in `schema_migrations`, all in one
transaction under an advisory lock, so two starting clients never apply a file twice and a failed file
leaves the schema as it was. A database newer than this program is refused with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

LOCK_KEY = 0x7265616368  # "reach": pg_advisory_xact_lock key of the migrator
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """A migration failed or the database was migrated by a newer Reach Studio."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migration files shipped with this version, in order."""
    found = []
    for item in resources.files("reach_studio.team.migrations").iterdir():
        match = _NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration files must be numbered 1..n without gaps, found {versions}")
    return found


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the missing migrations in one transaction; returns the versions applied now."""
    migrations = available()
    applied_now: list[int] = []
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            newest = max(done, default=0)
            if newest > len(migrations):
                raise MigrationError(
                    f"the team database is at schema version {newest}, newer than this Reach Studio "
                    f"knows ({len(migrations)}): update Reach Studio"
                )
            for migration in migrations:
                if migration.version in done:
                    continue
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
                applied_now.append(migration.version)
    except psycopg.Error as exc:
        raise MigrationError(f"could not migrate the team database: {exc}") from exc
    return applied_now
