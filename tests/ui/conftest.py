"""Builders of domain tasks for the shell's widget tests (no network)."""

from __future__ import annotations

import time

import pytest

from reach_studio.domain.enums import (
    OutputFormat,
    ProcessingRegion,
    ServiceFeature,
    ServiceType,
    TaskStatus,
    TurnAroundTime,
)
from reach_studio.domain.task import CatalogItem, Dictionary, ReachProfile, Task


def make_task(
    task_id: int,
    partner_id: int = 1001,
    *,
    feature: ServiceFeature = ServiceFeature.CAPTIONS,
    source: str = "English",
    target: str | None = None,
    left_s: float | None = 3 * 86400,
    notes: str = "",
    dictionary: str = "",
    region: ProcessingRegion | None = ProcessingRegion.US,
    account: str = "acc",
    status: TaskStatus = TaskStatus.PENDING,
    tat: TurnAroundTime = TurnAroundTime.FIVE_DAYS,
    profile_dictionary: str = "",
) -> Task:
    now = time.time()
    catalog = CatalogItem(
        id=500 + int(feature),
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=tat,
        source_language=source,
        target_language=target,
        output_format=OutputFormat.SRT,
    )
    profile = ReachProfile(
        id=77,
        name="Default",
        processing_region=region,
        enable_audio_tags=True,
        max_characters_per_caption_line=42,
        flavor_params_ids=[0, 3],
        dictionaries=[Dictionary(language=source, data=profile_dictionary)] if profile_dictionary else [],
    )
    return Task(
        id=task_id,
        partner_id=partner_id,
        vendor_partner_id=9000,
        entry_id=f"0_entry{task_id}",
        status=status,
        catalog_item_id=catalog.id,
        reach_profile_id=profile.id,
        access_key="ks-secret-access-key-for-task",
        created_at=int(now) - 3600,
        expected_finish_time=None if left_s is None else int(now + left_s),
        service_type=ServiceType.HUMAN,
        service_feature=feature,
        turn_around_time=tat,
        notes=notes,
        dictionary=dictionary,
        catalog_item=catalog,
        reach_profile=profile,
        account=account,
    )


@pytest.fixture
def task_factory():
    return make_task


@pytest.fixture(autouse=True)
def _qt_player(monkeypatch):
    """Shell tests use the Qt Multimedia player: the VLC back-end's probe callback can reach a released
    libvlc player when a workspace is torn down mid-load (reported to the player's owner)."""
    monkeypatch.setenv("REACH_STUDIO_PLAYER", "qt")


@pytest.fixture
def window(qtbot, emulator):
    """The real main window, its demo button wired to this test's emulator; closed cleanly afterwards."""
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow
    from reach_studio.workers.background import wait_for_all

    from .shell_helpers import demo_account

    win = MainWindow(Settings(), SecretStore(), DraftStore(), demo=lambda: demo_account(emulator))
    qtbot.addWidget(win)
    win.show()
    yield win
    for ws in list(win.workspaces.values()):
        ws.close_workspace()
    win.service.stop()
    wait_for_all(10000)
