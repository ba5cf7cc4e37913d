"""A killed editor loses at most one second of typing: a real subprocess is SIGKILLed mid-typing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reach_studio.domain import edit_ops
from reach_studio.store.drafts import DraftStore, draft_key
from tests.factories import make_task

CHILD = Path(__file__).with_name("typing_child.py")


def test_sigkill_loses_at_most_one_second(tmp_path):
    db = tmp_path / "drafts.sqlite3"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        REACH_STUDIO_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(Path(__file__).parents[2]),
    )
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    typed: list[tuple[int, float]] = []
    try:
        deadline = time.time() + 60
        for line in proc.stdout:
            if line.startswith("typed"):
                _, n, at = line.split()
                typed.append((int(n), float(at)))
                if int(n) >= 60:  # about 2.4 s of steady typing
                    break
            assert time.time() < deadline, "the child editor did not start typing"
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.time()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    draft = DraftStore(db).load(draft_key(make_task().account, make_task().id))
    assert draft is not None and draft.kind == "captions"
    items = [edit_ops.item_from_dict(d) for d in (draft.snapshot or {}).get("items", [])]
    items = edit_ops.replay(items, draft.ops_after_snapshot)
    assert len(items) == 1 and items[0].start_ms == 1000
    restored = len(items[0].text)
    typed_a_second_before = max(n for n, at in typed if at <= killed_at - 1.0)
    print(f"typed {typed[-1][0]}, restored {restored}, needed {typed_a_second_before}")
    assert restored >= typed_a_second_before, (restored, typed_a_second_before, typed[-1][0])
    assert items[0].text == ("abcdefghij" * 10)[:restored]  # exactly what was typed, in order
