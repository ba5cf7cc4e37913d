"""Processing regions in the shell: the queue offers the account's regions AND the linguist's, both at once."""

from __future__ import annotations

from reach_studio.domain.enums import ProcessingRegion, ServiceType, TaskStatus
from reach_studio.kaltura.connection import AccountConfig
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.main_window import MainWindow
from reach_studio.workers.background import wait_for_all

US, EU, CA = ProcessingRegion.US, ProcessingRegion.EU, ProcessingRegion.CA


def _account(emu, regions) -> AccountConfig:
    info = emu.info
    return AccountConfig.from_emulator_info(info, regions=regions, label="EU/US account")


def _shown_regions(win, emu) -> set[int]:
    profiles = {p["id"]: p for p in emu.inspect.objects("reach_profile")}
    return {profiles[t.reach_profile_id]["vendorTaskProcessingRegion"] for t in win.queue.visible_tasks()}


def _demo_regions(emu) -> set[int]:
    items = {i["id"]: i for i in emu.inspect.objects("catalog_item")}
    profiles = {p["id"]: p for p in emu.inspect.objects("reach_profile")}
    return {
        profiles[t["reachProfileId"]]["vendorTaskProcessingRegion"]
        for t in emu.inspect.objects("task", status=int(TaskStatus.PENDING))
        if items[t["catalogItemId"]]["serviceType"] == int(ServiceType.HUMAN)
    }


def test_changing_my_regions_keeps_the_accounts_own_regions(qtbot, emulator):
    from reach_studio.ui.sign_in_dialog import sign_in

    assert _demo_regions(emulator) == {1, 2, 3}  # the demo has pending human tasks in US, EU and CA
    win = MainWindow(Settings(), SecretStore(), DraftStore())  # settings: every region
    qtbot.addWidget(win)
    try:
        win.add_connection(sign_in(_account(emulator, frozenset({US, EU}))), demo=True)
        qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)
        assert _shown_regions(win, emulator) == {1, 2}  # the account serves US and EU only

        # the linguist now works EU and CA: only EU is both theirs and the account's
        win.settings.set("processing_regions", ["EU", "CA"])
        win._apply_settings()  # what the settings dialog's OK does
        assert _shown_regions(win, emulator) == {2}  # at once, from the tasks already polled
        with qtbot.waitSignal(win.service.polled, timeout=30000):
            win.actions["refresh"].trigger()
        assert _shown_regions(win, emulator) == {2}  # and after the next poll
        poller = next(iter(win.service.pollers.values()))
        assert poller.task_filter.regions == frozenset({EU})
        assert any("outside" in why for why in poller.rejected.values())
    finally:
        win.service.stop()
        wait_for_all(10000)


def test_an_account_without_regions_follows_my_settings(qtbot, emulator):
    from reach_studio.ui.sign_in_dialog import sign_in

    settings = Settings()
    settings.set("processing_regions", ["CA"])
    win = MainWindow(settings, SecretStore(), DraftStore())
    qtbot.addWidget(win)
    try:
        win.add_connection(sign_in(_account(emulator, None)), demo=True)
        qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)
        assert _shown_regions(win, emulator) == {3}
        win.settings.set("processing_regions", ["US", "EU", "CA"])
        win._apply_settings()
        with qtbot.waitSignal(win.service.polled, timeout=30000):
            win.actions["refresh"].trigger()
        assert _shown_regions(win, emulator) == {1, 2, 3}
    finally:
        win.service.stop()
        wait_for_all(10000)
