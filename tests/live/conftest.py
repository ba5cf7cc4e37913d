"""Live-caption test helpers: a vendor connection, the demo's pending live task, a loopback caption server."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection
from reach_studio.live.caption_server import CaptionServer


def connect(emu) -> ReachConnection:
    info = emu.info
    acct = AccountConfig.from_emulator_info(info)
    return ReachConnection(acct, request_timeout=20)


@pytest.fixture
def conn(emulator) -> ReachConnection:
    return connect(emulator)


@pytest.fixture
def live_task(conn):
    """The demo's PENDING live-caption task (Town hall), with catalog item and profile."""
    pending = [t for t in reach_api.get_jobs(conn) if t.feature == ServiceFeature.LIVE_CAPTION]
    assert len(pending) == 1 and pending[0].status == TaskStatus.PENDING
    return reach_api.get_task(conn, pending[0])


@pytest.fixture
def caption_server():
    server = CaptionServer("127.0.0.1", 0).start()
    try:
        yield server
    finally:
        server.stop()
        assert server._thread is None


@pytest.fixture
def live_task_offline():
    """A live task as the console gets it, without any server."""
    from reach_studio.domain.task import Task

    return Task(
        id=1234,
        partner_id=1,
        vendor_partner_id=2,
        entry_id="0_live",
        status=TaskStatus.PROCESSING,
        catalog_item_id=3,
        reach_profile_id=4,
        service_feature=ServiceFeature.LIVE_CAPTION,
        job_data={"startDate": 1_795_000_000, "endDate": 1_795_003_600, "scheduledEventId": 7001},
    )
