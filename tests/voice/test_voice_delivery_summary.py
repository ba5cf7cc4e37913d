"""Issue 15, bug 9, for the voice and sign-language editors: Deliver first shows what will be uploaded (and
what the linguist should know about it), and Cancel sends nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_window_and_delivery_summary import _NoNetwork


class _Account:
    vendor_name = "Acme Captioning"


class _NoNetworkAccount(_NoNetwork):
    """A connection that names its vendor (the sign-language panel shows the tags) and sends nothing."""

    account = _Account()


def test_voice_deliver_shows_what_will_be_uploaded_with_takes_over_dialogue(qtbot, tmp_path, voice_media):
    """The voice editor mixed and uploaded at once: no word of what would go, nor that a take hid dialogue."""
    from reach_studio.domain.enums import ServiceFeature
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.voice_editor import VoiceEditor
    from tests.factories import make_task
    from tests.voice.conftest import record_take

    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, task_id=1008)
    task.extra["entry_name"] = "Lecture 3 - Joints and levers"
    ctx = TaskContext(task, _NoNetwork(), DraftStore(tmp_path / "d.sqlite3"), media_path=voice_media["clip"])
    ed = VoiceEditor(ctx, player=None, take_player=None, recorder_reason="")
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    ed.dialogue = [(1000, 2500)]  # where the original speaks
    ed.seek(800)
    ed.add_line_at_playhead("A man opens the door.")
    record_take(qtbot, ed, 0, seconds=1.3)
    qtbot.mouseClick(ed.toolbar.widgetForAction(ed.deliver_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is not None and ed.deliver_confirm.isVisible(), timeout=3000)
    text = ed.deliver_confirm.text()
    assert "audio description of “Lecture 3 - Joints and levers” (0_entry): 1 description" in text
    assert "clear original audio" in text and "READY" in text
    assert "the take of line 1 runs over dialogue" in text
    cancel = next(b for b in ed.deliver_confirm.buttons() if b.text() != "Deliver")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is None, timeout=3000)
    assert "nothing was sent" in ed.status.text()
    assert ed._delivery_job is None and not ed.locked


def test_sign_language_deliver_shows_the_child_entry_it_will_create(qtbot, tmp_path, voice_media):
    from reach_studio.domain.enums import ServiceFeature
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor
    from tests.factories import make_task

    task = make_task(ServiceFeature.SIGN_LANGUAGE, task_id=1017, target="English (ASL)")
    task.extra["entry_name"] = "Welcome message"
    ed = SignLanguageEditor(
        TaskContext(task, _NoNetworkAccount(), DraftStore(tmp_path / "d.sqlite3")), player=None
    )
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_sign_video(voice_media["signed"])
    qtbot.waitUntil(lambda: ed.info is not None, timeout=10_000)
    qtbot.mouseClick(ed.toolbar.widgetForAction(ed.deliver_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is not None and ed.deliver_confirm.isVisible(), timeout=3000)
    text = ed.deliver_confirm.text()
    assert "signed video signed.mp4" in text
    assert "child entry “Welcome message child signLangASL” of “Welcome message” (0_entry)" in text
    assert "Acme Captioning" in text and "READY" in text
    assert "Warning:" in text and "shorter than the entry" in text  # 2 s video, 60 s entry
    cancel = next(b for b in ed.deliver_confirm.buttons() if b.text() != "Deliver")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is None, timeout=3000)
    assert ed._delivery_job is None and not ed.locked
