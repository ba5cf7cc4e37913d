"""A real PostgreSQL for the team-store tests: one throwaway cluster per run, one fresh database per test."""

from __future__ import annotations

import itertools

import pytest

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """initdb + pg_ctl in a temp folder on a free loopback port; stopped and removed after the run."""
    from reach_studio.team.pg_cluster import PgCluster

    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def team_db(pg_cluster):
    """The URL of an empty database of its own for this test."""
    return pg_cluster.create_database(f"t{next(_names)}")
