"""Speak an extended audio description with a local text-to-speech engine, if one is installed.

Qt's QTextToSpeech (PySide6-Addons) is used with a real engine (speech-dispatcher, SAPI, AVSpeech…);
Qt's "mock" engine speaks nothing and does not count. Without an engine the editor says so.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)


class Speaker(QObject):
    """`available` tells whether `say` produces sound; `reason` says why not."""

    def __init__(
        self, language_code: str | None = None, engine: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tts = None
        self.reason = ""
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError:
            self.reason = "No text-to-speech: PySide6-Addons is not installed"
            return
        engines = [e for e in QTextToSpeech.availableEngines() if e != "mock" or engine == "mock"]
        if engine is not None:
            engines = [e for e in engines if e == engine]
        for name in engines:
            tts = QTextToSpeech(name, self)
            if tts.state() != QTextToSpeech.State.Error:
                self._tts = tts
                self.engine = name
                break
            tts.deleteLater()
        if self._tts is None:
            self.reason = "No text-to-speech engine is installed (e.g. speech-dispatcher); preview is off"
            return
        if language_code:
            from PySide6.QtCore import QLocale

            locale = QLocale(language_code.replace("-", "_"))
            if locale in self._tts.availableLocales():
                self._tts.setLocale(locale)

    @property
    def available(self) -> bool:
        return self._tts is not None

    def say(self, text: str) -> bool:
        if self._tts is None or not text.strip():
            return False
        self._tts.say(text)
        return True

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
