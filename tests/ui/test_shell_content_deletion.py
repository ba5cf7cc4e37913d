"""The customer's content deletion policy, applied by the shell when a task is delivered and at start-up."""

from __future__ import annotations

import json
import time

from reach_studio.domain.enums import ContentDeletionPolicy
from reach_studio.engine.media_fetch import MediaCache
from reach_studio.media.waveform import cache_path, compute_waveform
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.main_window import MainWindow
from reach_studio.workers.background import wait_for_all


def _sign_in(qtbot, win) -> None:
    win.start_demo()
    qtbot.waitUntil(lambda: bool(win.service.connections), timeout=20000)
    qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)


def _captions_task(win, policy: ContentDeletionPolicy):
    return next(
        t
        for t in win.queue.visible_tasks()
        if t.feature is not None
        and t.feature.name == "CAPTIONS"
        and t.reach_profile is not None
        and t.reach_profile.content_deletion_policy == policy
        and not any(o.entry_id == t.entry_id and o.id != t.id for o in win.queue.visible_tasks())
    )


def _claim_with_media(qtbot, win, task):
    with qtbot.waitSignal(
        win.service.download_finished,
        timeout=60000,
        check_params_cb=lambda key, path: key == (task.account, task.id),
    ) as finished:
        win.claim(task)
    return finished.args[1]


def _leftovers_beside(media):
    """What a real session leaves next to the media: waveform peaks, a partial download, HLS segments."""
    compute_waveform(media)
    peaks = cache_path(media)
    part = media.with_name(media.name + ".part")
    part.write_bytes(b"half a download")
    segments = media.with_name(f".{media.name}.segments")
    segments.mkdir(exist_ok=True)
    (segments / "seg-00001.ts").write_bytes(b"segment")
    return [peaks, part, segments]


def _deliver(qtbot, win, task):
    """The editor says READY: the same path as every editor's `delivered` signal."""
    ws = win.open_task(win.service.mine[(task.account, task.id)])
    ws.delivered.emit(ws.task)
    return ws


def test_delete_once_processed_removes_the_media_and_do_nothing_keeps_it(qtbot, window, emulator):
    _sign_in(qtbot, window)
    gone = _captions_task(window, ContentDeletionPolicy.DELETE_ONCE_PROCESSED)
    kept = _captions_task(window, ContentDeletionPolicy.DO_NOTHING)
    gone_media = _claim_with_media(qtbot, window, gone)
    kept_media = _claim_with_media(qtbot, window, kept)
    gone_extra = _leftovers_beside(gone_media)
    kept_extra = _leftovers_beside(kept_media)
    assert gone_media.exists() and all(p.exists() for p in gone_extra)

    with qtbot.waitSignal(window.service.media_deleted, timeout=20000) as deleted:
        _deliver(qtbot, window, gone)
    assert deleted.args[0] == (gone.account, gone.id)
    assert not gone_media.exists()
    assert not any(p.exists() for p in gone_extra)
    assert not gone_media.parent.exists()  # the entry's folder is gone with everything in it
    assert gone.id not in [t.id for t in window.mine.visible_tasks()]
    assert "deletion policy" in window.activity.text() or "delivered" in window.activity.text()

    with qtbot.waitSignal(window.service.media_deleted, timeout=20000) as deleted:
        _deliver(qtbot, window, kept)
    assert deleted.args == [(kept.account, kept.id), []]
    assert kept_media.exists() and all(p.exists() for p in kept_extra)
    assert {gone.id, kept.id}.isdisjoint(t.id for t in window.mine.visible_tasks())


def test_deletion_waits_while_another_of_my_tasks_uses_the_same_entry(qtbot, window, emulator):
    _sign_in(qtbot, window)
    first = _captions_task(window, ContentDeletionPolicy.DELETE_ONCE_PROCESSED)
    template = emulator.inspect.task(first.id)
    second_id = emulator.control.add_task(
        partnerId=template["partnerId"],
        entryId=template["entryId"],
        catalogItemId=template["catalogItemId"],
        reachProfileId=template["reachProfileId"],
    )
    with qtbot.waitSignal(window.service.polled, timeout=20000):
        window.actions["refresh"].trigger()
    second = next(t for t in window.queue.visible_tasks() if t.id == second_id)
    media = _claim_with_media(qtbot, window, first)
    assert _claim_with_media(qtbot, window, second) == media  # one cached copy for both tasks

    _deliver(qtbot, window, first)
    wait_for_all(10000)
    assert media.exists()  # the second task still needs it
    with qtbot.waitSignal(window.service.media_deleted, timeout=20000):
        _deliver(qtbot, window, second)
    assert not media.exists()


def test_media_past_its_deletion_date_is_purged_at_start_up(qtbot, tmp_path):
    cache = MediaCache()  # the app's default media folder (settings leave media_dir empty)
    due = cache.root / "acct" / "101" / "0_old" / "flavor.mp4"
    later = cache.root / "acct" / "101" / "0_new" / "flavor.mp4"
    for media, deadline in ((due, time.time() - 60), (later, time.time() + 86400)):
        media.parent.mkdir(parents=True)
        media.write_bytes(b"media")
        media.with_name(media.name + ".delete-after.json").write_text(json.dumps({"delete_after": deadline}))
    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: not due.exists(), timeout=10000)
    assert later.exists()
    wait_for_all(5000)
