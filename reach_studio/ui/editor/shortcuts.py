"""Keyboard-driven work as in Subtitle Edit: every editor action has a default key, rebindable in settings.

The keys live in the shell's settings under "hotkeys" (`settings.DEFAULT_HOTKEYS` lists every action,
including these), so the settings dialog rebinds them like any other shortcut.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# action -> (default key, what it does). The names are the settings keys.
EDITOR_ACTIONS: dict[str, tuple[str, str]] = {
    "play_pause": ("Ctrl+Space", "Play / pause"),
    "editor_insert_at_playhead": ("Insert", "Insert a cue (or chapter) at the playhead"),
    "editor_set_start": ("F11", "Set the start of the current cue at the playhead"),
    "editor_set_end_next": ("F12", "Set the end at the playhead and go to the next cue"),
    "editor_nudge_start_back": ("Alt+Shift+Left", "Move the start 100 ms earlier"),
    "editor_nudge_start_forward": ("Alt+Shift+Right", "Move the start 100 ms later"),
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
    "editor_find": ("Ctrl+F", "Find / replace"),
    "editor_deliver": ("Ctrl+Shift+D", "Validate and deliver"),
}


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


def install(widget: QWidget, handlers: dict[str, Callable[[], None]],
            keys: dict[str, str] | None = None) -> dict[str, QShortcut]:
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
