"""The captioner's local record of what was sent in a live event, exportable as VTT/SRT afterwards.

Why it exists: Kaltura keeps its own WebVTT of the event, but the vendor wants its own copy (quality
review, a customer asking for the transcript, a crash mid-event). Each final caption — and each
correction, which replaces the caption with the same id — is appended to a JSON-lines file under
`paths.data_dir()/live/` by a writer thread, so the console's GUI thread never waits on the disk and a
crash loses nothing already sent. Qt-free.
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import threading
from pathlib import Path
from typing import Any

from reach_studio import paths
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import write_captions

log = logging.getLogger(__name__)
MIN_CUE_MS = 700  # a caption shorter than this would flash by in the exported file


class CaptionLog:
    """`log = CaptionLog.for_task(account, task_id)`; `log.add(message)`; `log.document()`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}  # id -> {start, end, text, speaker}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        if path is not None and path.is_file():
            self._load(path)

    @classmethod
    def for_task(cls, account: str, task_id: int) -> CaptionLog:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in account or "account")[:60]
        return cls(paths.data_dir() / "live" / f"{safe}-{int(task_id)}.jsonl")

    def _load(self, path: Path) -> None:
        try:
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    self.entries[entry["id"]] = entry
        except OSError as exc:
            log.warning("Cannot read the live caption record %s: %s", path, exc)

    def add(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """Record one final caption message (§8); a correction (same id) replaces the earlier text."""
        r = message.get("response") or {}
        if not r.get("is_final") or r.get("is_end_of_stream"):
            return None
        alt = (r.get("alternatives") or [{}])[0]
        speaker = next((s.get("label") for s in r.get("speakers") or [] if s.get("label")), None)
        entry = {
            "id": r.get("id"),
            "start": r.get("start"),
            "end": r.get("end"),
            "text": alt.get("transcript", ""),
            "speaker": speaker,
        }
        self.entries[entry["id"]] = entry
        if self.path is not None:
            self._queue.put(json.dumps(entry, ensure_ascii=False))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="live-caption-log", daemon=True)
                self._writer.start()
        return entry

    def _write(self) -> None:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                while True:
                    line = self._queue.get()
                    if line is None:
                        return
                    fh.write(line + "\n")
                    if self._queue.empty():
                        fh.flush()
        except OSError as exc:
            log.error("Cannot write the live caption record %s: %s", self.path, exc)

    def flush(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the writer (a later add starts it again)."""
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout)
            self._writer = None

    def document(self, language: str | None = None) -> CaptionDocument:
        cues = []
        for e in sorted(self.entries.values(), key=lambda e: (e["start"] or 0, e["end"] or 0)):
            start = round((e["start"] or 0) * 1000)
            end = max(round((e["end"] or 0) * 1000), start + MIN_CUE_MS)
            cues.append(Cue(start, end, e["text"], e.get("speaker")))
        for a, b in itertools.pairwise(cues):  # stretched cues must not overlap the next
            if a.end_ms > b.start_ms:
                a.end_ms = max(a.start_ms + 1, b.start_ms)
        return CaptionDocument(cues, language=language, source_format="live")

    def export(self, dest: Path, fmt: str, language: str | None = None) -> Path:
        """Write the record as `fmt` ("vtt" or "srt") to dest."""
        data = write_captions(self.document(language), fmt)
        dest.write_bytes(data)
        return dest
