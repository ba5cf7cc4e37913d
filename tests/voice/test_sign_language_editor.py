"""The sign-language workspace without a server: checks on the chosen file, draft restore, blocked delivery."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from reach_studio.domain.enums import ServiceFeature
from reach_studio.media.probe import probe
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor, video_checks
from tests.factories import make_task


def open_sign(qtbot, store, target="English (BSL)"):
    task = make_task(ServiceFeature.SIGN_LANGUAGE, target=target)
    ed = SignLanguageEditor(TaskContext(task, None, store), player=None)
    qtbot.addWidget(ed)
    return ed


def test_choice_is_kept_in_the_draft_and_probed_again_on_reopen(qtbot, tmp_path, voice_media):
    store = DraftStore(tmp_path / "d.sqlite3")
    ed = open_sign(qtbot, store)
    ed.set_sign_video(voice_media["signed"])
    qtbot.waitUntil(lambda: ed.info is not None, timeout=10_000)
    assert ed.work_product().sign_video == voice_media["signed"]
    ed.flush_draft()
    ed.close()
    again = open_sign(qtbot, store)
    assert again.video_path == voice_media["signed"]
    assert "Restored your draft: signed.mp4" in again.status.text()
    qtbot.waitUntil(lambda: again.info is not None, timeout=10_000)
    labels = [label.text() for label in again.findChildren(QLabel)]
    assert any(
        "child signLangBSL" in t and "signLang, signLangBSL" in t for t in labels
    )  # what delivery will do
    assert not again.deliver()  # no connection in this test
    assert "Not connected" in again.status.text()


def test_a_missing_file_is_an_error_not_a_crash(qtbot, tmp_path):
    ed = open_sign(qtbot, DraftStore(tmp_path / "d.sqlite3"))
    ed.set_sign_video(tmp_path / "gone.mp4")
    qtbot.waitUntil(lambda: bool(ed.checks) and ed.checks[0][0] == "error", timeout=10_000)
    assert "not a readable video" in ed.status.text()
    assert not ed.deliver()
    assert "Delivery blocked: Not a readable video" in ed.status.text()


def test_duration_check_tolerates_a_short_lead_in(voice_media):
    info = probe(voice_media["signed"])  # 2 s
    assert video_checks(info, 3500)[1][0] == "ok"  # within 2 s
    severity, message = video_checks(info, 60_000)[1]
    assert severity == "warning" and "58.0 s shorter than the entry" in message
    assert video_checks(probe(voice_media["take"]), 1000)[0] == ("error", "The file has no video stream")


def test_a_draft_that_cannot_be_read_is_reported_not_silently_dropped(qtbot, tmp_path):
    """Before EditorBase the sign-language editor ignored a damaged draft without a word; now it says so, as
    the timed and voice editors do, and still opens."""

    class BrokenStore(DraftStore):
        def load(self, key):
            raise ValueError("database disk image is malformed")

    ed = open_sign(qtbot, BrokenStore(tmp_path / "d.sqlite3"))
    assert "Your draft could not be read: database disk image is malformed" in ed.status.text()
    assert ed.video_path is None
