"""The desktop's Team tab against the emulator and a real team store: holders, take-over with the draft,
the review queue; without a team store the shell has no Team tab and works alone."""

from __future__ import annotations

import psycopg
import pytest

from reach_studio.engine.desktop_ops import EngineOps
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.team.claims import claim_task
from reach_studio.team.desktop_ops import TeamEngineOps
from reach_studio.team.drafts_sync import TeamDrafts
from reach_studio.team.store import TeamStore
from reach_studio.workers.background import wait_for_all
from tests.team.test_claims_e2e import account


@pytest.fixture
def make_window(qtbot):
    from reach_studio.ui.main_window import MainWindow

    made = []

    def make():
        win = MainWindow(Settings(), SecretStore(), DraftStore())
        qtbot.addWidget(win)
        made.append(win)
        return win

    yield make
    for win in made:
        win.service.stop()
        if getattr(win, "team_uninstall", None):
            win.team_uninstall()
    wait_for_all(10000)


def test_without_a_team_store_there_is_no_team_tab(make_window, monkeypatch):
    monkeypatch.delenv("REACH_TEAM_DB", raising=False)
    win = make_window()
    assert win.team_tab is None
    assert [win.tabs.tabText(i) for i in range(win.tabs.count())] == ["Queue", "My tasks"]
    assert type(win.service.ops) is EngineOps


def test_team_tab_shows_holders_and_takes_over_a_silent_one_with_its_draft(
    qtbot, make_window, monkeypatch, emulator, team_db, tmp_path
):
    conn = ReachConnection(account(emulator))
    task = min((t for t in reach_api.get_jobs(conn) if t.feature is not None), key=lambda t: t.id)
    task.account = conn.account.key
    anna_store = TeamStore(team_db, "anna").open()
    claim_task(anna_store, conn, task, f"anna-{task.id}", settle=0)
    anna = TeamDrafts(DraftStore(tmp_path / "anna.sqlite3"), anna_store, push_interval=0.01)
    key = draft_key(task.account, task.id)
    anna.save_snapshot(key, "notes", {"text": "half done"})
    anna.append_op(key, {"op": "edit", "n": 1})
    assert anna.flush()
    anna.close()

    monkeypatch.setenv("REACH_TEAM_DB", team_db)
    win = make_window()
    tab = win.team_tab
    assert "Team" in [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert isinstance(win.service.ops, TeamEngineOps) and isinstance(win.drafts, TeamDrafts)
    win.service.add_connection(ReachConnection(account(emulator)))
    tab.refresh()
    qtbot.waitUntil(lambda: tab.holders.rowCount() == 1, timeout=30000)
    assert tab.holders.item(0, 2).text() == "anna" and tab.holders.item(0, 3).text() == "working"
    tab.holders.selectRow(0)
    assert not tab.take_over_button.isEnabled()  # anna is still beating

    with psycopg.connect(team_db, autocommit=True) as db:  # anna's laptop died three minutes ago
        db.execute("UPDATE claims SET heartbeat_at = now() - interval '3 minutes'")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.take_over_button.isEnabled(), timeout=30000)
    with qtbot.waitSignal(tab.taken_over, timeout=60000) as taken:
        tab.take_over_button.click()
    me = win.service.ops.linguist
    assert taken.args[0].external_task_id == f"{me}-{task.id}"
    assert (task.account, task.id) in win.service.mine  # in "My tasks" now
    draft = win.drafts.load(key)
    assert draft.snapshot == {"text": "half done"} and draft.ops_after_snapshot == [{"op": "edit", "n": 1}]
    assert emulator.inspect.task(task.id)["externalTaskId"] == f"{me}-{task.id}"
    qtbot.waitUntil(
        lambda: tab.holders.rowCount() == 1 and me in tab.holders.item(0, 2).text(), timeout=30000
    )


def test_review_queue_approves_from_the_tab(qtbot, make_window, monkeypatch, team_db):
    from tests.team.test_store import ACCOUNT, task

    anna = TeamStore(team_db, "anna").open()
    anna.take(task(7))
    anna.confirm(ACCOUNT, 7, "anna-7")
    anna.submit(ACCOUNT, 7)
    monkeypatch.setenv("REACH_TEAM_DB", team_db)
    win = make_window()
    tab = win.team_tab
    me = TeamStore(team_db, win.service.ops.linguist).open()  # an edit of ours that lost a conflict
    me.push_draft(draft_key(ACCOUNT, 7), base_rev=0, ops=[{"n": 1}])
    tab.refresh()
    qtbot.waitUntil(lambda: "kept aside" in tab.summary.text(), timeout=30000)
    assert "anna holds the task" in tab.summary.text()
    qtbot.waitUntil(lambda: tab.review_table.rowCount() == 1, timeout=30000)
    tab.review_table.selectRow(0)
    assert tab.approve_button.isEnabled()
    with qtbot.waitSignal(tab.message, timeout=30000) as said:
        tab.return_selected("#2 Speaker missing")
    assert "returned" in said.args[0]
    (comment,) = anna.comments(ACCOUNT, 7)
    assert (comment.cue_index, comment.text) == (1, "Speaker missing")
    qtbot.waitUntil(lambda: tab.review_table.rowCount() == 0, timeout=30000)
    anna.submit(ACCOUNT, 7)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.review_table.rowCount() == 1, timeout=30000)
    tab.review_table.selectRow(0)
    with qtbot.waitSignal(tab.message, timeout=30000):
        tab.approve_button.click()
    assert anna.claim(ACCOUNT, 7).state == "approved"
