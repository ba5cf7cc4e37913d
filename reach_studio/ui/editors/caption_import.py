"""Importing a caption file a person made, for every editor: read in the background with `import_captions`,
then say how many cues came in and every repair the reader made, with its lines (status line, full list in
its tooltip), so the linguist can check them. One home, so the timed and voice editors report alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6

from reach_studio.domain.captions import CaptionDocument
from reach_studio.ui.style import plain_tip
from reach_studio.workers.background import Job, run_in_background


def import_report(count: int, nouns: tuple[str, str], name: str, repairs: list[str]) -> str:
    """ "Imported 12 cues from a.srt. Repaired on import, please check: line 2: ... (+3 more, see tooltip)"."""
    text = f"Imported {count} {nouns[0] if count == 1 else nouns[1]} from {name}"
    if repairs:  # every repair the reader made, with its lines, for the linguist to check
        text += f". Repaired on import, please check: {'; '.join(repairs[:3])}"
        text += f" (+{len(repairs) - 3} more, see tooltip)" if len(repairs) > 3 else ""
    return text


def import_caption_file(
    editor,
    path: Path,
    loaded: Callable[[CaptionDocument], str | None],
    *,
    nouns: tuple[str, str] = ("cue", "cues"),
    fmt: str | None = None,
    language: str | None = None,
) -> Job:
    """Read `path` off the GUI thread and hand the document to `loaded` (which may return a note to add).
    `editor` has `show_status(text, error=False)` and a `status` label, as the editors do."""
    path = Path(path)

    def read(token, progress) -> tuple[CaptionDocument, list[str]]:
        from reach_studio.domain.formats import import_captions, summarize_repairs

        doc, repairs = import_captions(path, fmt, language=language)
        return doc, summarize_repairs(repairs)

    def done(result: tuple[CaptionDocument, list[str]]) -> None:
        if not shiboken6.isValid(editor):
            return
        doc, repairs = result
        note = loaded(doc)
        text = import_report(len(doc.cues), nouns, path.name, repairs)
        editor.show_status(f"{text}; {note}" if note else text)
        editor.status.setToolTip(plain_tip("\n".join(repairs)))

    def failed(exc: BaseException) -> None:
        if shiboken6.isValid(editor):
            editor.show_status(f"Cannot import {path.name}: {exc}", error=True)

    editor.show_status(f"Reading {path.name}…")
    return run_in_background(read, done, failed)
