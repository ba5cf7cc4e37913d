"""Keyboard-driven work as in Subtitle Edit: every editor action has a default key, rebindable in settings.

The keys live in the shell's settings under "hotkeys" (`settings.DEFAULT_HOTKEYS` lists every action,
including these), so the settings dialog rebinds them like any other shortcut.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

# action -> (default key, what it does). The names are the settings keys.
EDITOR_ACTIONS: dict[str, tuple[str, str]] = {
    "play_pause": ("Ctrl+Space", "Play / pause (Space too, outside text fields)"),
    "editor_play_pause_space": ("Space", "Play / pause when not typing"),
    "editor_play_cue": (
        "Ctrl+Shift+Space",
        "Play the current cue (or the selected cues) and stop at its end",
    ),
    "editor_play_before": ("Alt+Q", "Play the 500 ms before the cue's start"),
    "editor_play_after": ("Alt+W", "Play the 500 ms after the cue's end"),
    "editor_back_and_play": ("Alt+K", "Go back 3 s and play"),
    "editor_insert_at_playhead": ("Insert", "Insert a cue (or chapter) at the playhead"),
    "editor_set_start": ("F11", "Set the start of the current cue at the playhead"),
    "editor_set_end_next": ("F12", "Set the end at the playhead and go to the next cue"),
    # not Alt+Shift+arrows: several window managers move windows between workspaces with them
    "editor_nudge_start_back": ("Alt+[", "Move the start 100 ms earlier"),
    "editor_nudge_start_forward": ("Alt+]", "Move the start 100 ms later"),
    "editor_nudge_end_back": ("Alt+Left", "Move the end 100 ms earlier"),
    "editor_nudge_end_forward": ("Alt+Right", "Move the end 100 ms later"),
    "editor_frame_back": ("Alt+,", "Step one frame back"),
    "editor_frame_forward": ("Alt+.", "Step one frame forward"),
    "editor_seek_back": ("Alt+J", "Jump 2 s back"),
    "editor_seek_forward": ("Alt+L", "Jump 2 s forward"),
    "editor_loop_cue": ("Ctrl+Shift+L", "Loop the current cue"),
    "editor_previous": ("Alt+Up", "Previous cue"),
    "editor_next": ("Alt+Down", "Next cue"),
    "editor_delete": ("Ctrl+Delete", "Delete the selected cues"),
    "editor_split": ("Alt+S", "Split the cue at the text cursor"),
    "editor_merge": ("Alt+M", "Merge the cue with the next one"),
    "editor_reflow": ("Alt+R", "Re-break the lines of the cue"),
    "editor_speaker_change": ("Alt+Shift+.", "Insert a speaker change mark (>>)"),
    "editor_speaker_pick": ("Alt+P", "Pick the speaker of the selected cues (completes from the document's)"),
    "editor_find": ("Ctrl+F", "Find / replace"),
    "editor_spell_check": ("F7", "Spell check the whole document"),
    "editor_deliver": ("Ctrl+Shift+D", "Validate and deliver"),
}


# Keys every editor has that are not rebindable actions (listed in Help → Keyboard shortcuts).
FIXED_KEYS: list[tuple[str, str]] = [
    ("Ctrl+Z", "Undo (one history per task: typing, split, merge and timing alike)"),
    ("Ctrl+Y / Ctrl+Shift+Z", "Redo"),
    ("Double-click a cue on the timeline", "Play that cue from its start to its end"),
    ("Drag on the empty waveform", "Make a new cue there (snaps to cues and shot changes; Alt: no snapping)"),
    ("Shift+drag on the waveform", "Select a stretch (Ctrl+Shift+Space plays it)"),
    ("Ctrl+wheel on the timeline", "Zoom"),
]


def shortcut_rows(keys: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(key, what it does) for every editor key, as the Help list shows them."""
    keys = keys or configured_keys()
    rows = []
    for name, (_default, what) in EDITOR_ACTIONS.items():
        key = QKeySequence(keys.get(name, "")).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((key or "—", what))
    return FIXED_KEYS + rows


def default_keys() -> dict[str, str]:
    return {name: key for name, (key, _) in EDITOR_ACTIONS.items()}


def configured_keys() -> dict[str, str]:
    """Keys from the settings, falling back to the defaults for anything not (validly) set."""
    keys = default_keys()
    try:
        from reach_studio.settings import Settings

        stored = Settings().get("hotkeys")
    except Exception as exc:  # noqa: BLE001 - damaged settings must not stop the editor
        log.warning("using default editor shortcuts: %s", exc)
        return keys
    for name in keys:
        value = stored.get(name) if isinstance(stored, dict) else None
        if isinstance(value, str) and not QKeySequence(value).isEmpty():
            keys[name] = value
    return keys


def install(
    widget: QWidget, handlers: dict[str, Callable[[], None]], keys: dict[str, str] | None = None
) -> dict[str, QShortcut]:
    """Create one QShortcut per handled action, active anywhere inside `widget`."""
    keys = keys or configured_keys()
    made: dict[str, QShortcut] = {}
    for name, handler in handlers.items():
        key = keys.get(name) or EDITOR_ACTIONS.get(name, ("", ""))[0]
        if not key:
            continue
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(handler)
        made[name] = shortcut
    return made


def describe(name: str, keys: dict[str, str] | None = None) -> str:
    """Tool-tip text: what the action does and its current key."""
    keys = keys or default_keys()
    what = EDITOR_ACTIONS.get(name, ("", name))[1]
    key = QKeySequence(keys.get(name, "")).toString(QKeySequence.SequenceFormat.NativeText)
    return f"{what} ({key})" if key else what


SHELL_ACTIONS: dict[str, str] = {
    "refresh": "Refresh the queue",
    "claim": "Claim the selected task (in the queue)",
    "open_task": "Open the selected task (in My tasks)",
    "fail_task": "Fail the task…",
    "show_log": "Show the log",
    "toggle_details": "Show or hide the task details pane",
    "settings": "Settings",
    "quit": "Quit",
}


class ShortcutListDialog(QDialog):
    """Help → Keyboard shortcuts: every key of the shell and the editors, as currently bound."""

    def __init__(self, hotkeys: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 620)
        keys = dict(default_keys())
        keys.update({k: v for k, v in (hotkeys or {}).items() if isinstance(v, str) and v})
        rows = [
            ("Shell", QKeySequence(keys.get(n, "")).toString(QKeySequence.SequenceFormat.NativeText), what)
            for n, what in SHELL_ACTIONS.items()
        ]
        rows += [("Editors", key, what) for key, what in shortcut_rows(keys)]
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Where", "Key", "What it does"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        note = QLabel("Change any key under File → Settings → Keyboard shortcuts.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def keys_listed(self) -> dict[str, str]:
        """What it does -> key, as shown (for tests and screenshots)."""
        return {
            self.table.item(r, 2).text(): self.table.item(r, 1).text() for r in range(self.table.rowCount())
        }
