"""A killed voice editor loses at most a second of typing and never a recorded take."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.factories import make_task

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_keeps_the_take_and_all_but_the_last_second(qtbot, tmp_path):
    db = tmp_path / "drafts.sqlite3"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        REACH_STUDIO_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.voice.voice_child", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    typed: list[tuple[int, float]] = []
    take = None
    try:
        deadline = time.time() + 60
        for line in proc.stdout:
            if line.startswith("take"):
                take = line.split(maxsplit=1)[1].strip()
            if line.startswith("typed"):
                _, n, at = line.split()
                typed.append((int(n), float(at)))
                if int(n) >= 50:  # about 2 s of typing after the take
                    break
            assert time.time() < deadline, "the child editor did not start"
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.time()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert take is not None

    store = DraftStore(db)
    editor = VoiceEditor(
        TaskContext(make_task(ServiceFeature.AUDIO_DESCRIPTION), None, store),
        player=None,
        take_player=None,
        recorder_reason="",
    )
    qtbot.addWidget(editor)
    (line,) = editor.script.lines
    assert (line.start_ms, line.take, line.take_ms) == (1000, take, 1000)
    with wave.open(take) as w:  # the take survived the kill, complete
        assert w.getnframes() == 48000
    typed_a_second_before = max(n for n, at in typed if at <= killed_at - 1.0)
    assert len(line.text) >= typed_a_second_before, (len(line.text), typed_a_second_before, typed[-1][0])
    assert line.text == ("abcdefghij" * 20)[: len(line.text)]
    assert editor.table.item(0, 3).text().startswith("✔ 1.0 s")  # may be flagged over the tone ("dialogue")
