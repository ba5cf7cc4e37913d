"""A killed app (SIGKILL) restarts, offers the open draft, and restores it with at most ~1 s lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reach_studio.domain.enums import TaskStatus
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors import registry as editor_registry
from reach_studio.ui.main_window import MainWindow
from reach_studio.ui.sign_in_dialog import sign_in
from reach_studio.workers.background import wait_for_all

from .test_shell_e2e import demo_account

CHILD = Path(__file__).with_name("_killed_app.py")


def test_sigkill_then_restart_restores_the_draft(qtbot, emulator, monkeypatch):
    account = demo_account(emulator)
    items = {i["id"]: i for i in emulator.inspect.objects("catalog_item")}
    task_id = next(
        t["id"]
        for t in emulator.inspect.objects("task", status=int(TaskStatus.PENDING))
        if items[t["catalogItemId"]]["serviceType"] == 1 and items[t["catalogItemId"]]["serviceFeature"] == 1
    )
    env = dict(
        os.environ,
        KT_URL=account.service_url,
        KT_PARTNER=str(account.vendor_partner_id),
        KT_VENDOR=account.vendor_name,
        KT_TOKEN_ID=account.app_token_id,
        KT_TOKEN=account.app_token,
        KT_TASK=str(task_id),
        PYTHONPATH=str(Path(__file__).parents[2]),
    )
    child = subprocess.Popen([sys.executable, str(CHILD)], env=env, stdout=subprocess.PIPE, text=True)
    typed: list[tuple[int, float]] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("TYPED"):
                _, n, at = line.split()
                typed.append((int(n), float(at)))
                if int(n) >= 60:
                    break
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=20)
    assert child.returncode == -signal.SIGKILL
    assert typed and typed[-1][0] >= 60, "the child never got to type"
    assert emulator.inspect.task(task_id)["status"] == int(TaskStatus.PROCESSING)
    # every character typed more than a second before the kill must come back
    must_have = max(n for n, at in typed if at <= killed_at - 1.0)

    monkeypatch.setattr(editor_registry, "_registry", {})
    monkeypatch.setattr(editor_registry, "_loaded", True)
    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    try:
        # the claimed task is back in "My tasks" right away, before any network
        assert [t.id for t in win.mine.visible_tasks()] == [task_id]
        win.add_connection(sign_in(account), demo=True)
        qtbot.waitUntil(lambda: win.restore_dialog is not None, timeout=5000)
        dialog = win.restore_dialog
        assert dialog.list.count() == 1 and str(task_id) in dialog.list.item(0).text()
        # the remembered task gets a fresh access key (keys are never written to disk)
        qtbot.waitUntil(lambda: bool(win.service.mine[(account.key, task_id)].access_key), timeout=10000)
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: (account.key, task_id) in win.workspaces, timeout=5000)
        restored = win.workspaces[(account.key, task_id)].notes.toPlainText()
        expected = "Speaker names: Ana Lopez, Bo Chen. Check the spelling of kinesiology. " * 4
        assert len(restored) >= must_have
        assert expected.startswith(restored)
    finally:
        win.service.stop()
        wait_for_all(10000)
