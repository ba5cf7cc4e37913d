"""Registers the editors into the shell's editor registry (imported once by `editor_registry`)."""

from __future__ import annotations

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.editor_registry import TaskContext, register_editor


def _timed_editor(ctx: TaskContext):
    from reach_studio.ui.editor.timed_editor import TimedEditor

    return TimedEditor(ctx)


register_editor(
    [
        ServiceFeature.CAPTIONS,
        ServiceFeature.TRANSLATION,
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
        ServiceFeature.CHAPTERING,
    ],
    _timed_editor,
)


def _voice_editor(ctx: TaskContext):
    from reach_studio.ui.editor.voice_editor import VoiceEditor

    return VoiceEditor(ctx)


def _sign_language_editor(ctx: TaskContext):
    from reach_studio.ui.editor.sign_language_editor import SignLanguageEditor

    return SignLanguageEditor(ctx)


register_editor([ServiceFeature.DUBBING, ServiceFeature.AUDIO_DESCRIPTION], _voice_editor)
register_editor([ServiceFeature.SIGN_LANGUAGE], _sign_language_editor)


def _live_console(ctx: TaskContext):
    from reach_studio.ui.editor.live_console import LiveConsole

    return LiveConsole(ctx)


register_editor([ServiceFeature.LIVE_CAPTION, ServiceFeature.LIVE_TRANSLATION], _live_console)
