"""The four things the timed editor edits — captions, translation, extended audio description, chapters — as
mode objects, one per service (as Gaupol's aeidon splits its agents).

Why: the editor is one widget for four REACH services that share the cue list, timeline, undo, journal and
Deliver, but differ in their items, columns, checks, language, delivered file and the fields a linguist sees.
Asking `self.kind == ...` in forty places spread that difference over the widget; here each mode says it once
and the editor asks its mode. Qt-free: a mode describes, the editor builds the widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import CaptionDocument, Chapter, Cue, DescriptionCue
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.edit_ops import Item
from reach_studio.domain.task import Task

if TYPE_CHECKING:
    from reach_studio.ui.editors.cue_model import RowValidator
    from reach_studio.ui.editors.row_checks import SourceOf


class TimedMode:
    """What is common; each subclass is one REACH service. Flags say which tools and fields show."""

    kind = ""  # the draft's kind and edit_ops' document kind
    title = ""
    columns: tuple[str, ...] = ()
    item_class: type = Cue  # what Insert and drawing on the waveform make
    text_field = "text"  # the item field the big text box edits
    has_title = False  # a title field (chapters), also what the video overlay shows
    text_label = "Text"
    timed_ranges = True  # items have an end (chapters: a start only)
    text_lines = False  # subtitle lines: Split / Merge / Reflow, the "Delivered" preview, file size limits
    speakers = False  # speaker field, ">>" and speaker labels in the delivered file
    shows_source = False  # the source cue next to the text (translation)
    speaks = False  # text-to-speech preview and speaking time (descriptions)
    imports_files = False  # "Import…" a caption file
    offers_entry_captions = False  # "start from the entry's captions" when the document is empty
    keeps_gap = True  # the minimum gap between cues applies
    source_format: str | None = None  # the document's format when the delivery format is fixed (EAD: WebVTT)
    item_word = "Cue"  # what one item is called in lists (the problems panel's column)

    def language(self, task: Task) -> str | None:
        """The language the linguist writes in."""
        return task.source_language

    def field_label(self, task: Task) -> str:
        return self.text_label

    def starting_items(self, source: Sequence[Cue]) -> list[Item]:
        """The document before any draft: empty, except a translation starts on its source's timing."""
        return []

    def validator(self, task: Task, source: SourceOf | None = None) -> RowValidator:
        """Per-row checks, run on every edit (`source`: the source cues, for a translation's checks)."""
        from reach_studio.ui.editors import row_checks

        return row_checks.caption_validator(task, self.kind, self.language(task), source)

    def findings(self, task: Task, source: SourceOf | None = None):
        """The caption core's findings with their fixes, for the problems panel (None: this mode has none)."""
        from reach_studio.ui.editors import row_checks

        return row_checks.findings_for(self.kind, task, self.language(task), source)

    def document(self, items: Sequence[Item], language: str | None) -> CaptionDocument:
        """The items as a caption document in the task's language (what is delivered for cue modes)."""
        cues = [c for c in items if isinstance(c, Cue)]
        return CaptionDocument(cues=cues, language=language, accuracy=100, source_format=self.source_format)

    def work_product(self, items: Sequence[Item], language: str | None) -> WorkProduct:
        """What the delivery engine uploads."""
        return WorkProduct(captions=self.document(items, language))

    def new_item(self, start_ms: int, end_ms: int) -> Item:
        return self.item_class(start_ms, end_ms, "")

    noun = "caption(s)"

    def describe_upload(
        self, items: Sequence[Item], *, task: Task, entry: str, span: str, language: str | None, speakers: str
    ) -> str:
        """What Deliver uploads, for the confirmation box ("Upload …")."""
        from reach_studio.domain.formats import output_format_for

        fmt = output_format_for(task.reach_profile, task.catalog_item).upper()
        return (
            f"{len(items)} {self.noun} in {language or 'the task language'} as {fmt}"
            f"{f' ({speakers})' if speakers else ''}, accuracy 100 %, on entry {entry}, {span}"
        )


class CaptionsMode(TimedMode):
    kind = "captions"
    title = "Captions"
    columns = ("#", "Start", "End", "Duration", "CPS", "Speaker", "Text")
    text_lines = True
    speakers = True
    imports_files = True
    offers_entry_captions = True


class TranslationMode(TimedMode):
    kind = "translation"
    title = "Translation"
    columns = ("#", "Start", "End", "Source", "Translation")
    text_lines = True
    shows_source = True

    noun = "translated caption(s)"

    def language(self, task: Task) -> str | None:
        return task.target_language or task.source_language

    def field_label(self, task: Task) -> str:
        return f"Translation ({self.language(task) or '?'})"

    def starting_items(self, source: Sequence[Cue]) -> list[Item]:
        # paired by index, same timing by default; the linguist adjusts timing when needed
        return [Cue(c.start_ms, c.end_ms, "", c.speaker) for c in source]


class DescriptionsMode(TimedMode):
    """Extended audio description: descriptions a player speaks while it pauses the video."""

    kind = "ead"
    title = "Extended audio description"
    columns = ("#", "Start", "End", "Duration", "Description")
    item_class = DescriptionCue
    item_word = "Description"
    text_label = "Description"
    speaks = True
    keeps_gap = False
    source_format = "vtt"

    def validator(self, task: Task, source: SourceOf | None = None) -> RowValidator:
        from reach_studio.ui.editors import row_checks

        return row_checks.description_validator(task, self.language(task))

    def work_product(self, items: Sequence[Item], language: str | None) -> WorkProduct:
        return WorkProduct(descriptions=tuple(i for i in items if isinstance(i, DescriptionCue)))

    def describe_upload(
        self, items: Sequence[Item], *, task: Task, entry: str, span: str, language: str | None, speakers: str
    ) -> str:
        return (
            f"{len(items)} description(s) as an extended audio description WebVTT caption asset on entry {entry},"
            f" {span}"
        )


class ChaptersMode(TimedMode):
    kind = "chapters"
    title = "Chapters"
    columns = ("#", "Start", "Title", "Description")
    item_class = Chapter
    item_word = "Chapter"
    text_field = "description"
    text_label = "Description"
    has_title = True
    timed_ranges = False
    keeps_gap = False

    def validator(self, task: Task, source: SourceOf | None = None) -> RowValidator:
        from reach_studio.ui.editors import row_checks

        return row_checks.chapter_validator(task)

    def findings(self, task: Task, source: SourceOf | None = None):
        return None

    def work_product(self, items: Sequence[Item], language: str | None) -> WorkProduct:
        return WorkProduct(chapters=tuple(i for i in items if isinstance(i, Chapter)))

    def describe_upload(
        self, items: Sequence[Item], *, task: Task, entry: str, span: str, language: str | None, speakers: str
    ) -> str:
        titles = ", ".join(i.title for i in items[:3] if isinstance(i, Chapter))
        return (
            f"{len(items)} chapter(s) as chapter cue points on entry {entry}"
            f" ({titles}{'…' if len(items) > 3 else ''})"
        )

    def new_item(self, start_ms: int, end_ms: int) -> Item:
        raise edit_ops.EditError("chapters have no end: insert one at the playhead")


MODES: dict[str, TimedMode] = {
    m.kind: m for m in (CaptionsMode(), TranslationMode(), DescriptionsMode(), ChaptersMode())
}


def mode_for(kind: str) -> TimedMode:
    try:
        return MODES[kind]
    except KeyError:
        raise edit_ops.EditError(f"unknown editor mode {kind!r}") from None
