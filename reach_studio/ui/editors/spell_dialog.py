"""The whole-document spell check (F7), as in Subtitle Edit: one unknown word at a time, in its cue, with
Change / Change all / Skip / Ignore all / Add to dictionary, every one a key (Alt+letter, Enter = Change).

The walk and every decision are `domain.spell_check`'s; this dialog only shows them and pushes each change
on the editor's one undo history, so Ctrl+Z after the pass undoes its changes one by one.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QVBoxLayout,
)

from reach_studio.domain import edit_ops
from reach_studio.domain.spell_check import (
    DocumentSpelling,
    Misspelling,
    change_all,
    match_case,
    replace_span,
    spelled_field,
)
from reach_studio.ui.style import plain, rich, set_tone

if TYPE_CHECKING:
    from reach_studio.ui.editors.timed_editor import TimedEditor


class SpellCheckDialog(QDialog):
    """Walks the editor's document from `start_row` to the end, one unknown word at a time."""

    def __init__(self, editor: TimedEditor, spelling: DocumentSpelling, start_row: int = 0) -> None:
        super().__init__(editor)
        self.setWindowTitle("Spell check")
        self.setModal(True)
        self.editor = editor
        self.spelling = spelling
        self.current: Misspelling | None = None
        self.changed = 0
        self._row, self._pos = start_row, 0

        self.word_label = rich(QLabel(self))  # "<b>word</b>", escaped
        self.context_label = QLabel(self)
        self.context_label.setWordWrap(True)
        self.context_label.setTextFormat(Qt.TextFormat.RichText)
        self.context_label.setMinimumHeight(3 * self.fontMetrics().height())
        set_tone(self.context_label, "code")
        self.change_to = QLineEdit(self)
        self.change_to.returnPressed.connect(self.change)
        self.suggestions = QListWidget(self)
        self.suggestions.currentTextChanged.connect(self._suggestion_picked)
        self.suggestions.itemActivated.connect(lambda _item: self.change())
        self.where_label = plain(QLabel(self))
        set_tone(self.where_label, "muted")

        def button(text: str, slot) -> QPushButton:
            b = QPushButton(text, self)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            return b

        self.change_button = button("&Change", self.change)
        self.change_all_button = button("Change &all", self.change_everywhere)
        self.skip_button = button("&Skip", self.skip)
        self.ignore_button = button("&Ignore all", self.ignore_all)
        self.add_button = button("Add to &dictionary", self.add_to_dictionary)
        self.close_button = button("Close", self.reject)
        self._word_buttons = (
            self.change_button,
            self.change_all_button,
            self.skip_button,
            self.ignore_button,
            self.add_button,
        )

        grid = QGridLayout()
        grid.addWidget(QLabel("Not in the dictionary:", self), 0, 0)
        grid.addWidget(self.word_label, 0, 1)
        grid.addWidget(self.context_label, 1, 0, 1, 2)
        grid.addWidget(QLabel("C&hange to:", self, buddy=self.change_to), 2, 0)
        grid.addWidget(self.change_to, 2, 1)
        grid.addWidget(QLabel("Su&ggestions:", self, buddy=self.suggestions), 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.suggestions, 3, 1)
        buttons = QVBoxLayout()
        for b in (*self._word_buttons, self.close_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(grid, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.where_label)
        self.resize(620, 340)
        self._advance()

    # ------------------------------------------------------------------------------------ walking

    def _texts(self) -> list[str]:
        return [getattr(item, spelled_field(item)) for item in self.editor.model.items]

    def _advance(self) -> None:
        """Show the next unknown word from the current position, or say the pass is over."""
        self.current = self.spelling.next_misspelling(self._texts(), self._row, self._pos)
        if self.current is None:
            self._finished()
            return
        m = self.current
        self._row, self._pos = m.row, m.start
        self.word_label.setText(f"<b>{html.escape(m.word)}</b>")
        text = self._texts()[m.row]
        self.context_label.setText(
            html.escape(text[: m.start]).replace("\n", "<br>")
            + f"<span style='color:#e0201b; font-weight:bold; text-decoration:underline'>"
            f"{html.escape(m.word)}</span>" + html.escape(text[m.end :]).replace("\n", "<br>")
        )
        found = self.spelling.suggestions(m.word)
        self.suggestions.blockSignals(True)
        self.suggestions.clear()
        self.suggestions.addItems([match_case(m.word, s) for s in found])
        self.suggestions.blockSignals(False)
        self.change_to.setText(self.suggestions.item(0).text() if found else m.word)
        self.change_to.selectAll()
        self.change_to.setFocus()
        total = len(self.editor.model.items)
        self.where_label.setText(f"Cue {m.row + 1} of {total} · {self.changed} changed so far")
        for b in self._word_buttons:
            b.setEnabled(True)
        self._show_in_editor(m)

    def _show_in_editor(self, m: Misspelling) -> None:
        """Select the cue and the word in the editor behind, so the linguist sees it in place."""
        self.editor.select(m.row, seek=False)
        if spelled_field(self.editor.model.items[m.row]) == "text":
            cursor = self.editor.text_edit.textCursor()
            cursor.setPosition(m.start)
            cursor.setPosition(m.end, QTextCursor.MoveMode.KeepAnchor)
            self.editor.text_edit.setTextCursor(cursor)
        else:  # a chapter's title
            self.editor.title_edit.setSelection(m.start, m.end - m.start)

    def _finished(self) -> None:
        self.word_label.setText("<b>Spell check finished</b>")
        self.context_label.setText(
            f"No more unknown words. {self.changed} change{'s' if self.changed != 1 else ''} made."
        )
        self.suggestions.clear()
        self.change_to.clear()
        self.where_label.setText("")
        for b in self._word_buttons:
            b.setEnabled(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.editor.show_status(f"Spell check finished: {self.changed} changed")

    def _suggestion_picked(self, text: str) -> None:
        if text:
            self.change_to.setText(text)

    def _refresh_underline(self) -> None:
        self.editor.refresh_spelling()

    # ------------------------------------------------------------------------------------ actions

    def change(self) -> None:
        m = self.current
        replacement = self.change_to.text()
        if m is None:
            return
        if not replacement or replacement == m.word:
            self.skip()
            return
        item = self.editor.model.items[m.row]
        field = spelled_field(item)
        new = replace_span(getattr(item, field), m.start, m.end, replacement)
        if self.editor._push(edit_ops.set_fields(self.editor.model.items, m.row, "Spelling", **{field: new})):
            self.changed += 1
        self._pos = m.start + len(replacement)
        self._advance()

    def change_everywhere(self) -> None:
        m = self.current
        replacement = self.change_to.text()
        if m is None:
            return
        if not replacement or replacement == m.word:
            self.skip()
            return
        op = change_all(self.editor.model.items, m.word, replacement)
        if op is not None and self.editor._push(op):
            self.changed += sum(1 for _ in op.ops)
        self._pos = m.start + len(replacement)
        self._advance()

    def skip(self) -> None:
        if self.current is not None:
            self._pos = self.current.end
            self._advance()

    def ignore_all(self) -> None:
        if self.current is not None:
            self.spelling.ignore_all(self.current.word)
            self._refresh_underline()
            self.skip()

    def add_to_dictionary(self) -> None:
        if self.current is not None:
            add_word(self.editor, self.spelling, self.current.word)
            self.skip()


def add_word(editor: TimedEditor, spelling: DocumentSpelling, word: str) -> None:
    """Add to the user's dictionary, save it off the GUI thread, and drop the underline everywhere."""
    from reach_studio.ui.editors.spelling import save_user_dictionary_async

    if spelling.add_to_dictionary(word):
        editor._spell_save_job = save_user_dictionary_async(
            spelling.user,
            lambda exc: editor.show_status(f"Could not save your dictionary: {exc}", error=True),
        )
    editor.refresh_spelling()
    editor.show_status(f"“{word}” added to your dictionary")


def add_menu_actions(
    menu: QMenu, before: QAction | None, editor: TimedEditor, spelling: DocumentSpelling, word: str
) -> None:
    """The text box's context menu on an unknown word: Ignore all and Add to dictionary, under the suggestions."""

    def ignore() -> None:
        spelling.ignore_all(word)
        editor.refresh_spelling()
        editor.show_status(f"“{word}” ignored in this document")

    ignore_act = QAction("Ignore all", menu)
    ignore_act.triggered.connect(ignore)
    add_act = QAction("Add to dictionary", menu)
    add_act.triggered.connect(lambda: add_word(editor, spelling, word))
    menu.insertAction(before, ignore_act)
    menu.insertAction(before, add_act)
    menu.insertSeparator(before)


def open_spell_check(editor: TimedEditor) -> SpellCheckDialog | None:
    """F7: the whole-document pass from the first cue (or say why there is none)."""
    spelling = editor.spell.speller
    if spelling is None:
        editor.show_status(editor.spell.status, error=editor.spell.code is None)
        return None
    if not editor.model.items:
        editor.show_status("Nothing to check: the document is empty")
        return None
    dialog = SpellCheckDialog(editor, spelling)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()  # its keys (Enter, Alt+letters) work at once
    return dialog
