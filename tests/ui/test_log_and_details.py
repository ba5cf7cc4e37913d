"""The log window never shows a secret; the details pane shows what the guide says a linguist must get."""

from __future__ import annotations

import logging
import threading

from reach_studio.domain.enums import ContentDeletionPolicy, OutputFormat, ServiceFeature
from reach_studio.ui.log_window import LogWindow, install_log_buffer, redact, register_secret
from reach_studio.ui.task_details import TaskDetails
from tests.factories import make_task


def test_log_window_redacts_registered_secrets_ks_shaped_text_and_key_values(qtbot):
    buffer = install_log_buffer(logging.INFO)
    window = LogWindow(buffer)
    qtbot.addWidget(window)
    register_secret("tok-SECRET-77")
    ks = "djJ8MTIzNHwx" + "A" * 120
    log = logging.getLogger("reach_studio.test")
    log.info("signing in with token tok-SECRET-77")
    log.warning("call failed for ks %s", ks)
    worker = threading.Thread(target=lambda: log.error("POST ?adminSecret=abcd1234ef&x=1"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "adminSecret" in window.contents(), timeout=3000)
    text = window.contents()
    assert "signing in with token ***" in text
    assert "tok-SECRET-77" not in text and ks not in text and "abcd1234ef" not in text
    assert "call failed for ks ***" in text
    assert redact("ks=short1") == "ks=***"


def test_details_show_notes_dictionary_deadline_and_profile_flags_escaped(qtbot, task_factory):
    task = task_factory(
        5,
        feature=ServiceFeature.TRANSLATION,
        target="French",
        notes="Use <b>formal</b> register",
        dictionary="Kaltura\nREACH",
        left_s=-120,
    )
    task.reach_profile.content_deletion_policy = ContentDeletionPolicy.DELETE_AFTER_WEEK
    pane = TaskDetails()
    qtbot.addWidget(pane)
    pane.show_task(task)
    text = pane.toPlainText()
    assert "Use <b>formal</b> register" in text  # shown literally, not as markup
    assert "Kaltura" in text and "REACH" in text
    assert "overdue by" in text
    assert "5 days" in text  # turn-around time
    assert "English → French" in text
    assert "Delete After Week" in text
    assert "Max characters per line" in text and "42" in text
    assert "Audio tags" in text
    assert "ks-secret-access-key" not in pane.toHtml()
    pane.show_task(None)
    assert "Select a task" in pane.toPlainText()


def test_details_name_the_format_the_delivery_really_uploads(qtbot):
    """A describer must not read "SRT" for extended audio description, which always goes up as WebVTT."""
    pane = TaskDetails()
    qtbot.addWidget(pane)
    pane.show_task(make_task(ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, output_format=OutputFormat.SRT))
    text = " ".join(pane.toPlainText().split())
    assert "Delivered as WebVTT" in text
    assert "Srt" not in text and "SRT" not in text
    pane.show_task(make_task(ServiceFeature.CAPTIONS, output_format=OutputFormat.DFXP))
    assert "Delivered as DFXP (TTML)" in " ".join(pane.toPlainText().split())
    pane.show_task(make_task(ServiceFeature.CHAPTERING, output_format=OutputFormat.SRT))
    assert "Delivered as" not in pane.toPlainText()  # chapters go up as cue points, no caption file


def test_the_profiles_default_format_reads_as_the_formats_name(qtbot):
    task = make_task(ServiceFeature.CAPTIONS, output_format=OutputFormat.VTT)
    task.reach_profile.default_output_format = OutputFormat.SRT
    pane = TaskDetails()
    qtbot.addWidget(pane)
    pane.show_task(task)
    text = " ".join(pane.toPlainText().split())
    assert "Default output format SRT" in text and "Delivered as WebVTT" in text


def test_enter_in_the_log_window_closes_it_and_never_clears_it(qtbot):
    from PySide6.QtCore import Qt

    buffer = install_log_buffer(logging.INFO)
    logging.getLogger("reach_studio.test").info("a line a support request needs")
    window = LogWindow(buffer)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert "a line a support request needs" in window.contents()
    assert not window.isVisible()
