"""The timed-text editors: cue list, text editor with live checks, undo, find/replace, spell check, Deliver."""

from reach_studio.ui.editor.timed_editor import TimedEditor

__all__ = ["TimedEditor"]
