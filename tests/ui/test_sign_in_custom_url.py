"""Issue 15, bug 6 (second half): choosing an on-prem server empties the URL field, so typing does not append
to the region's URL, and the URL is checked as it is typed and before signing in."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.secret_store import SecretStore
from reach_studio.ui.sign_in_dialog import CUSTOM, SignInDialog


def test_on_prem_url_is_typed_into_an_empty_field_and_checked(qtbot):
    calls = []
    dialog = SignInDialog(SecretStore(), connect=lambda a: calls.append(a))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.url.text().startswith("https://")  # a region preset shows its URL
    dialog.region.setFocus()
    qtbot.keyClick(dialog.region, Qt.Key.Key_End)  # the last choice: on-premises / custom URL
    assert dialog.region.currentData() == CUSTOM
    assert dialog.url.text() == "" and dialog.url.isEnabled()
    qtbot.mouseClick(dialog.url, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.url, "https://kaltura.myuni.edu")
    assert dialog.url.text() == "https://kaltura.myuni.edu"
    assert dialog.url_note.text() == ""

    for bad, says in (
        ("https://kaltura.myuni.eduhttps://kaltura.myuni.edu", "not one web address"),
        ("https://kal tura.myuni.edu", "not a valid server name"),
        ("ftp://kaltura.myuni.edu", "https://"),
    ):
        dialog.url.selectAll()
        qtbot.keyClicks(dialog.url, bad)
        assert says in dialog.url_note.text(), (bad, dialog.url_note.text())
    dialog.partner.setText("1234")
    dialog.vendor_name.setText("Acme Captions")
    dialog.token_id.setText("0_tokid")
    dialog.token.setText("tok-abc")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "https://" in dialog.error.text()
    assert calls == []  # nothing was tried with a bad address
