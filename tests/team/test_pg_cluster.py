"""The throwaway PostgreSQL the team tests run on is a real server reachable by TCP and by its socket."""

from __future__ import annotations

import psycopg


def test_server_answers_on_loopback_and_socket(pg_cluster, team_db):
    with psycopg.connect(team_db) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (1)")
    assert version.split(".")[0].isdigit()
    with psycopg.connect(
        host=str(pg_cluster.folder), port=pg_cluster.port, user="reach", dbname="reach"
    ) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_each_test_gets_an_empty_database(team_db):
    with psycopg.connect(team_db) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 0
