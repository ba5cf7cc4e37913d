"""Start from the entry's existing captions: machine captions, or the asset the task names in
`taskJobData`, in the task's language — offered to the timed editor as the starting draft instead of an
empty document, and to the voice editor as the lines of a dub script (`engine/voice_product.py`).

Reads only (caption list, getUrl, a small download) with the task's key; blocking, so the editors run it
in the background. The linguist decides, and taking them is one undoable step.
"""

from __future__ import annotations

from dataclasses import dataclass

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.task import Task


@dataclass
class DraftCaptions:
    document: CaptionDocument
    asset_id: str
    label: str
    accuracy: int | None

    def describe(self) -> str:
        acc = f", {self.accuracy} % accurate" if self.accuracy is not None else ""
        return f"{self.label or self.asset_id} ({len(self.document.cues)} cues{acc})"


def find_draft_captions(connection, task: Task, language: str | None) -> DraftCaptions | None:
    """The entry's captions in `language` to start from (the taskJobData asset first, else the most
    accurate ready one), or None. Never changes anything on Kaltura's side."""
    from reach_studio.domain.formats import read_captions
    from reach_studio.kaltura import reach_api

    assets = reach_api.caption_assets(connection, task)
    wanted = (task.job_data or {}).get("captionAssetId")
    chosen = next(
        (a for a in assets if wanted and a.get("id") == wanted and a.get("language") == language), None
    )
    if chosen is None:
        found = [a for a in assets if language and a.get("language") == language]
        found = [a for a in found if a.get("status") in (None, 2)] or found
        if not found:
            return None
        chosen = max(found, key=lambda a: int(a.get("accuracy") or 0))
    content = reach_api.caption_content(connection, task, chosen["id"])
    doc = read_captions(content, language=language)
    if not doc.cues:
        return None
    accuracy = chosen.get("accuracy")
    return DraftCaptions(
        doc,
        str(chosen["id"]),
        str(chosen.get("label") or ""),
        int(accuracy) if accuracy not in (None, "") else None,
    )
