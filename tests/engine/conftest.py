"""Helpers for engine tests against the emulator."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection


def connect(emu, **account_fields) -> ReachConnection:
    """A connection signed in with the emulator vendor's app token (as a linguist would)."""
    info = emu.info
    acct = AccountConfig.from_emulator_info(info, **account_fields)
    return ReachConnection(acct, request_timeout=20)


@pytest.fixture
def conn(emulator) -> ReachConnection:
    return connect(emulator)


def task_on_entry(emu, conn, entry_name: str, feature: ServiceFeature) -> tuple[Task, dict]:
    """The queue's `feature` task on the demo entry named `entry_name` (read in full), and that entry."""
    entry = next(e for e in emu.inspect.objects("entry") if e["name"] == entry_name)
    for light in reach_api.get_jobs(conn):
        if light.entry_id == entry["id"]:
            task = reach_api.get_task(conn, light)
            if task.feature == feature:
                return task, entry
    raise AssertionError(f"no {feature.name} task on {entry_name!r}")
