"""The desktop shell against the emulator: sign in with the demo, fair queue, claim, download, poll, fail."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceType, TaskStatus
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.main_window import MainWindow
from reach_studio.ui.task_workspace import TaskWorkspace
from reach_studio.workers.background import wait_for_all
from reach_studio.workers.task_service import is_live_task

from .shell_helpers import demo_account

PENDING, PROCESSING, ERROR = int(TaskStatus.PENDING), int(TaskStatus.PROCESSING), int(TaskStatus.ERROR)


def file_tasks(view) -> list:
    """The tasks of a list that are claimed and downloaded (live tasks are scheduled instead)."""
    return [t for t in view.visible_tasks() if not is_live_task(t)]


def sign_in_with_demo(qtbot, win):
    win.start_demo()  # the same path as "Try the demo" in the sign-in dialog
    qtbot.waitUntil(lambda: bool(win.service.connections), timeout=20000)
    qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)


def human_pending(emu) -> list[dict]:
    items = {i["id"]: i for i in emu.inspect.objects("catalog_item")}
    return [
        t
        for t in emu.inspect.objects("task", status=PENDING)
        if items[t["catalogItemId"]]["serviceType"] == int(ServiceType.HUMAN)
    ]


def test_demo_sign_in_shows_every_demo_task_in_fair_order(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    shown = window.queue.visible_tasks()
    expected = human_pending(emulator)
    assert sorted(t.id for t in shown) == sorted(t["id"] for t in expected)
    assert len(shown) >= 6
    # every job alike whatever its customer: earliest expected finish first, then the oldest
    assert len({t.partner_id for t in shown}) >= 3
    keys = [(t.expected_finish_time or float("inf"), t.created_at or 0) for t in shown]
    assert keys == sorted(keys)
    # rows show what a linguist reads: customer name and entry name, not just ids
    names = {c["partnerId"]: c["name"] for c in emulator.info["customers"]}
    first = window.queue.model.index(0, 1).data()
    assert first in names.values() or first.startswith("Partner")
    entry_names = {e["id"]: e["name"] for e in emulator.inspect.objects("entry")}
    assert window.queue.model.index(0, 2).data() == entry_names[shown[0].entry_id]


def test_claim_moves_the_task_to_processing_and_downloads_its_media_with_progress(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = next(
        t for t in window.queue.visible_tasks() if t.feature is not None and t.feature.name == "CAPTIONS"
    )
    assert window.queue.select_task(task.account, task.id)
    progress = []
    window.service.download_progress.connect(lambda key, done, total: progress.append((key, done, total)))
    with qtbot.waitSignal(window.service.download_finished, timeout=60000) as finished:
        window.actions["claim"].trigger()
    assert emulator.inspect.task(task.id)["status"] == PROCESSING
    assert task.id not in [t.id for t in window.queue.visible_tasks()]
    assert [t.id for t in file_tasks(window.mine)] == [task.id]  # beside the vendor's scheduled live tasks
    key, path = finished.args
    assert key == (task.account, task.id)
    assert path.exists() and path.stat().st_size > 0
    ours = [p for p in progress if p[0] == key]
    assert len(ours) >= 2 and ours[-1][1] >= ours[0][1]

    ws = window.open_task(window.mine.selected_task())
    assert isinstance(ws, TaskWorkspace)
    assert ws.context.media_path == path  # already downloaded: handed straight to the workspace
    assert window.tabs.currentWidget() is ws


def test_a_task_added_in_kaltura_appears_after_a_poll_without_losing_selection(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    selected = window.queue.visible_tasks()[2]
    window.queue.select_task(selected.account, selected.id)
    template = emulator.inspect.task(selected.id)
    new_id = emulator.control.add_task(
        partnerId=template["partnerId"],
        entryId=template["entryId"],
        catalogItemId=template["catalogItemId"],
        reachProfileId=template["reachProfileId"],
        notes="Rush job",
    )
    with qtbot.waitSignal(window.service.polled, timeout=20000):
        window.actions["refresh"].trigger()
    qtbot.waitUntil(lambda: new_id in [t.id for t in window.queue.visible_tasks()], timeout=10000)
    assert window.queue.selected_task().id == selected.id
    new_task = next(t for t in window.queue.visible_tasks() if t.id == new_id)
    assert new_task.notes == "Rush job"


def test_failing_a_claimed_task_after_confirming_sets_error_with_the_reason(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = file_tasks(window.queue)[0]
    with qtbot.waitSignal(window.service.claimed, timeout=20000):
        window.claim(task)
    window.tabs.setCurrentWidget(window.mine)
    window.mine.select_task(task.account, task.id)
    window.actions["fail_task"].trigger()
    dialog = window.fail_dialog
    assert dialog is not None and not dialog.confirm.isEnabled()  # no reason, no failing
    dialog.reason.setPlainText("The audio is in Spanish, not the ordered English")
    with qtbot.waitSignal(window.service.failed_task, timeout=20000):
        dialog.confirm.click()
    recorded = emulator.inspect.task(task.id)
    assert recorded["status"] == ERROR
    assert recorded["errDescription"] == "The audio is in Spanish, not the ordered English"
    assert file_tasks(window.mine) == []


def test_cancelled_failure_dialog_changes_nothing(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = file_tasks(window.queue)[0]
    with qtbot.waitSignal(window.service.claimed, timeout=20000):
        window.claim(task)
    window.request_fail(task)
    window.fail_dialog.reason.setPlainText("changed my mind")
    window.fail_dialog.reject()
    wait_for_all(5000)
    assert emulator.inspect.task(task.id)["status"] == PROCESSING


def test_download_can_be_cancelled_from_the_status_bar(qtbot, window, emulator):
    emulator.faults.configure(segment_latency_ms=400)  # a slow CDN: the download is still running
    sign_in_with_demo(qtbot, window)
    task = next(
        t for t in window.queue.visible_tasks() if t.feature is not None and t.feature.name == "CAPTIONS"
    )
    with qtbot.waitSignal(window.service.download_started, timeout=20000):
        window.claim(task)
    assert window.cancel_download_button.isVisible()
    with qtbot.waitSignal(window.service.download_cancelled, timeout=30000):
        window.cancel_download_button.click()
    assert not window.download_bar.isVisible()
    assert (task.account, task.id) not in window.service.media
    assert emulator.inspect.task(task.id)["status"] == PROCESSING  # cancelling a download keeps the task


def test_the_log_never_shows_the_token_the_session_or_an_access_key(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = file_tasks(window.queue)[0]
    with qtbot.waitSignal(window.service.claimed, timeout=20000) as claimed:
        window.claim(task)
    window.show_log()
    text = window.log_window.contents() + "\n".join(window.log_buffer.lines)
    assert "Signed in" in text and "Claimed task" in text
    conn = next(iter(window.service.connections.values()))
    for secret in (emulator.info["appToken"], conn._ks, claimed.args[0].access_key, task.access_key):
        assert secret and secret not in text


def test_two_accounts_merge_into_one_fair_queue(qtbot, window, emulator, emulator_media_cache, tmp_path):
    from reach_studio.emulator.server import Emulator
    from reach_studio.ui.sign_in_dialog import sign_in

    sign_in_with_demo(qtbot, window)
    first = len(window.queue.visible_tasks())
    with Emulator(tmp_path / "second-cloud", seed="demo", media_cache=emulator_media_cache) as other:
        window.add_connection(sign_in(demo_account(other)))
        qtbot.waitUntil(lambda: len(window.queue.visible_tasks()) == 2 * first, timeout=30000)
        shown = window.queue.visible_tasks()
        accounts = {t.account for t in shown}
        assert len(accounts) == 2
        # one queue across both clouds, earliest expected finish first whatever the cloud or customer
        deadlines = [t.expected_finish_time or float("inf") for t in shown]
        assert deadlines == sorted(deadlines)
        other_key = f"{other.url}#{other.info['vendorPartnerId']}"
        window.queue.account.setCurrentIndex(window.queue.account.findData(other_key))
        assert {t.account for t in window.queue.visible_tasks()} == {other_key}
        assert len(window.queue.visible_tasks()) == first
        window.service.stop()
        wait_for_all(10000)


def test_tasks_outside_my_processing_regions_are_not_offered(qtbot, emulator):
    settings = Settings()
    settings.set("processing_regions", ["US"])
    win = MainWindow(settings, SecretStore(), DraftStore(), demo=lambda: demo_account(emulator))
    qtbot.addWidget(win)
    try:
        sign_in_with_demo(qtbot, win)
        shown = win.queue.visible_tasks()
        profiles = {p["id"]: p for p in emulator.inspect.objects("reach_profile")}
        regions = {profiles[t.reach_profile_id].get("vendorTaskProcessingRegion") for t in shown}
        assert regions <= {1, None}  # US only
        offered_elsewhere = [
            t
            for t in human_pending(emulator)
            if profiles[t["reachProfileId"]].get("vendorTaskProcessingRegion") not in (1, None)
        ]
        assert offered_elsewhere, "the demo has tasks in other regions"
        assert not {t["id"] for t in offered_elsewhere} & {t.id for t in shown}
    finally:
        win.service.stop()
        wait_for_all(10000)


def test_losing_a_claim_race_says_so_and_drops_the_task(qtbot, window, emulator):
    from reach_studio.kaltura import reach_api
    from reach_studio.ui.sign_in_dialog import sign_in

    sign_in_with_demo(qtbot, window)
    task = file_tasks(window.queue)[0]
    rival = sign_in(demo_account(emulator))
    reach_api.claim(rival, reach_api.get_task(rival, task), "other-linguist-tool")
    with qtbot.waitSignal(window.service.claim_failed, timeout=20000) as lost:
        window.claim(task)
    assert "already taken" in lost.args[1]
    assert window.claim_message is not None and "already taken" in window.claim_message.text()
    assert task.id not in [t.id for t in window.queue.visible_tasks()]
    assert file_tasks(window.mine) == []
    assert emulator.inspect.task(task.id)["externalTaskId"] == "other-linguist-tool"


def test_a_remembered_task_aborted_meanwhile_leaves_my_tasks_after_sign_in(qtbot, window, emulator):
    from reach_studio.ui.sign_in_dialog import sign_in

    sign_in_with_demo(qtbot, window)
    task = file_tasks(window.queue)[0]
    with qtbot.waitSignal(window.service.claimed, timeout=20000):
        window.claim(task)
    wait_for_all(10000)
    window.service.stop()
    emulator.control.abort_task(task.id)  # the customer withdrew it while the app was closed

    restarted = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(restarted)
    assert [t.id for t in file_tasks(restarted.mine)] == [task.id]
    with qtbot.waitSignal(restarted.service.task_gone, timeout=20000):
        restarted.add_connection(sign_in(demo_account(emulator)), demo=True)
    assert file_tasks(restarted.mine) == []
    assert "can no longer be worked on" in restarted.activity.text()
    wait_for_all(10000)
    assert DraftStore().remembered_tasks() == {}
    restarted.service.stop()


def _claim_and_open_translation(qtbot, window, partner_id):
    task = next(
        t
        for t in window.queue.visible_tasks()
        if t.feature is not None and t.feature.name == "TRANSLATION" and t.partner_id == partner_id
    )
    with qtbot.waitSignal(window.service.claimed, timeout=20000):
        window.claim(task)
    return task, window.open_task(window.service.mine[(task.account, task.id)])


def test_a_translation_workspace_receives_the_source_captions(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task, ws = _claim_and_open_translation(qtbot, window, 101)
    qtbot.waitUntil(lambda: ws.context.source_captions is not None, timeout=20000)
    doc = ws.context.source_captions
    assert doc.cues and doc.accuracy == 100
    assert doc.language == task.source_language


# A translation from inaccurate source captions is no longer claimed (and sent to Error): the check comes
# before the claim, see tests/ui/test_translation_source_check.py (issue 15, bug 8).


@pytest.mark.parametrize("case", ["wrong token", "unreachable"])
def test_sign_in_dialog_explains_real_failures(qtbot, emulator, case):
    import socket

    from reach_studio.ui.sign_in_dialog import CUSTOM, SignInDialog

    info = emulator.info
    url = info["serviceUrl"]
    if case == "unreachable":
        with socket.socket() as s:  # a loopback port nobody listens on
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}"
    dialog = SignInDialog(SecretStore())
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData(CUSTOM))
    dialog.url.setText(url)
    dialog.partner.setText(str(info["vendorPartnerId"]))
    dialog.vendor_name.setText(info["vendorName"])
    dialog.token_id.setText(info["appTokenId"])
    dialog.token.setText("not-the-token" if case == "wrong token" else info["appToken"])
    dialog.sign_in_button.click()
    expected = "refused these credentials" if case == "wrong token" else "Cannot reach the Kaltura server"
    qtbot.waitUntil(lambda: expected in dialog.error.text(), timeout=30000)
    assert info["appToken"] not in dialog.error.text() and "not-the-token" not in dialog.error.text()
    assert dialog.connection is None


def test_a_failing_server_is_reported_in_the_status_bar_and_the_queue_is_kept(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    before = [t.id for t in window.queue.visible_tasks()]
    conn = next(iter(window.service.connections.values()))
    conn.retries, conn.backoff = 1, 0.01  # fail fast in the test; the app rides out short outages
    emulator.faults.configure(error_rate=1.0)
    window.actions["refresh"].trigger()
    qtbot.waitUntil(lambda: "Could not poll" in window.activity.text(), timeout=30000)
    assert "trying again in" in window.activity.text()
    assert [t.id for t in window.queue.visible_tasks()] == before  # the last good queue stays
    emulator.faults.reset()
    window.actions["refresh"].trigger()
    qtbot.waitUntil(lambda: "answers again" in window.activity.text(), timeout=30000)
    assert "Queue updated" in window.routine_label.text()


def test_remembered_accounts_with_a_kept_token_sign_in_at_start(qtbot, emulator):
    from reach_studio.secret_store import account_id
    from reach_studio.ui.app import _auto_sign_in

    account = demo_account(emulator)
    settings = Settings()
    settings.set(
        "accounts",
        [
            {
                "service_url": account.service_url,
                "vendor_partner_id": account.vendor_partner_id,
                "vendor_name": account.vendor_name,
                "app_token_id": account.app_token_id,
            }
        ],
    )
    secrets = SecretStore()
    secrets.set(account_id(account.service_url, account.vendor_partner_id), account.app_token)
    win = MainWindow(settings, secrets, DraftStore())
    qtbot.addWidget(win)
    try:
        assert _auto_sign_in(win)
        qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)
        assert list(win.service.connections) == [account.key]
        assert win.sign_in_dialog is None  # nobody was asked for anything
        assert account.app_token not in (paths_text := (settings.path.read_text()))
        assert "vendor_partner_id" in paths_text
    finally:
        win.service.stop()
        wait_for_all(10000)


def test_try_the_demo_starts_the_embedded_emulator_and_signs_in(qtbot, emulator_media_cache):
    from reach_studio import paths
    from reach_studio.ui.app_demo import DemoServer

    (paths.cache_dir() / "emulator-media").symlink_to(emulator_media_cache, target_is_directory=True)
    demo = DemoServer()
    win = MainWindow(Settings(), SecretStore(), DraftStore(), demo=demo)
    qtbot.addWidget(win)
    try:
        win.show_sign_in()  # no remembered account: the sign-in dialog, with its "Try the demo" button
        dialog = win.sign_in_dialog
        assert dialog.demo_button.isEnabled()
        dialog.demo_button.click()
        qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=60000)
        assert demo.data_dir == paths.data_dir() / "emulator" and demo.data_dir.exists()
        names = {c["name"] for c in demo.emulator.info["customers"]}
        shown = {win.queue.model.index(r, 1).data() for r in range(win.queue.model.rowCount())}
        assert shown <= names and len(shown) >= 3  # customers by name
        assert win.settings.get("accounts") == []  # the demo account is not remembered
    finally:
        win.service.stop()
        wait_for_all(10000)
        demo.stop()


def test_the_media_libraries_load_on_the_gui_thread_before_any_work():
    """PyAV and Qt Multimedia loaded by two threads at once hung both imports (see ui/app.py)."""
    import subprocess
    import sys

    code = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "from reach_studio.ui.app import load_media_libraries; load_media_libraries();"
        "print('av' in sys.modules, 'PySide6.QtMultimedia' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.split() == ["True", "True"], done.stderr[-2000:]
