"""engine/voice_product: the captions a dub script starts from, read from the emulator through the public
reach_api, and the editor's "start from the entry's captions" that uses it."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.emulator.seed import add_caption_asset
from reach_studio.engine.voice_product import entry_captions_for_dubbing
from reach_studio.store.drafts import DraftStore
from tests.delivery.conftest import claim, order_task

pytestmark = pytest.mark.timeout(120)


def srt(*texts: str) -> str:
    return "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},800\n{t}\n\n" for i, t in enumerate(texts, start=1))


def dubbing_task(emu, conn):
    task = claim(conn, order_task(emu, ServiceFeature.DUBBING, source="English", target="Japanese"))
    return task, emu.store.get("entry", task.entry_id)


def test_a_dub_script_starts_from_the_most_accurate_target_language_captions(emu, conn):
    task, entry = dubbing_task(emu, conn)
    add_caption_asset(emu, entry, srt("Hello"), accuracy=100)
    add_caption_asset(emu, entry, srt("こんにちは"), accuracy=80, language="Japanese", label="ja rough")
    add_caption_asset(emu, entry, srt("やあ", "またね"), accuracy=95, language="Japanese", label="ja good")
    doc, what = entry_captions_for_dubbing(conn, task)
    assert [c.text for c in doc.cues] == ["やあ", "またね"]
    assert what == "the entry's Japanese captions (ja good)"
    assert emu.inspect.task(task.id)["status"] == int(task.status)  # reading never changes the task


def test_without_target_captions_the_source_language_ones_are_used_and_none_is_none(emu, conn):
    task, entry = dubbing_task(emu, conn)
    assert entry_captions_for_dubbing(conn, task) is None
    add_caption_asset(emu, entry, srt("Hello", "Bye"), accuracy=90)
    doc, what = entry_captions_for_dubbing(conn, task)
    assert [(c.start_ms, c.text) for c in doc.cues] == [(1000, "Hello"), (2000, "Bye")]
    assert what.startswith("the entry's English captions")


def test_opening_a_dubbing_task_without_a_script_starts_it_from_the_entrys_captions(
    qtbot, emu, conn, tmp_path
):
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.voice_editor import VoiceEditor

    task, entry = dubbing_task(emu, conn)
    add_caption_asset(emu, entry, srt("やあ", "またね"), accuracy=95, language="Japanese")
    ed = VoiceEditor(
        TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")),
        player=None,
        take_player=None,
        recorder_reason="",
    )
    qtbot.addWidget(ed)
    qtbot.waitUntil(lambda: len(ed.script.lines) == 2, timeout=30_000)
    assert [(ln.start_ms, ln.text) for ln in ed.script.lines] == [(1000, "やあ"), (2000, "またね")]
    assert "2 lines from the entry's Japanese captions" in ed.status.text()


def test_an_empty_target_language_caption_is_passed_over_for_the_source_language(emu, conn):
    task, entry = dubbing_task(emu, conn)
    add_caption_asset(emu, entry, "", accuracy=100, language="Japanese", label="ja empty")
    add_caption_asset(emu, entry, srt("Hello"), accuracy=100)
    doc, what = entry_captions_for_dubbing(conn, task)
    assert [c.text for c in doc.cues] == ["Hello"]  # was an empty script from the empty asset
    assert what.startswith("the entry's English captions")
