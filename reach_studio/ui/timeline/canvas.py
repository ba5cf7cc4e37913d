"""The timeline under the video: waveform, cue blocks, chapter markers, EAD spans and the playhead.

A custom-painted widget rather than a QGraphicsScene: with thousands of cues a scene keeps an item per
cue and re-indexes them on every edit, while here a paint only touches what is visible (a vectorised
range query over start/end arrays that are rebuilt lazily after an edit). The waveform is drawn as one
QImage built with numpy per paint, so scrolling stays far below a 16 ms frame.

The widget never edits the document: a drag previews the new times and, on release, emits
`timesEdited(index, start_ms, end_ms)` for the editor to turn into one undoable command.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from reach_studio.domain.captions import Chapter
from reach_studio.domain.edit_ops import Item, snap

RULER_H = 18
NARROW_PX = 8  # blocks narrower than this are drawn together, without text or outline
EDGE_GRAB_PX = 6
SNAP_PX = 8
MIN_MS_PER_PX = 0.5
MAX_MS_PER_PX = 2000.0
TEXT_REPAINT_MS = 150  # typing pause after which the blocks' words are repainted

BG = QColor("#1d1f21")
RULER_BG = QColor("#2a2d30")
RULER_FG = QColor("#a0a4a8")
WAVE = QColor("#4caf7a")
WAVE_DIM = QColor("#2f6b4b")
PENDING = QColor(255, 255, 255, 22)  # waveform not arrived yet (the media still downloads)
TAKE_WAVE = QColor("#1d3f8f")  # a recorded take drawn inside its block
SHOT = QColor("#7fdcf5")  # shot change marks
RANGE_FILL = QColor(94, 200, 229, 60)  # a stretch being drawn / the selection
RANGE_EDGE = QColor("#5ec8e5")
DRAG_START_PX = 4  # a press that moves less is a click (seek)
CUE_FILL = QColor(70, 130, 200, 110)
CUE_EDGE = QColor("#7fb2ef")
EAD_FILL = QColor(170, 110, 210, 110)
EAD_EDGE = QColor("#c9a0ef")
SELECTED_FILL = QColor(235, 160, 50, 130)
SELECTED_EDGE = QColor("#ffc060")
ERROR_EDGE = QColor("#ff4d4d")
CHAPTER = QColor("#ffd24d")
PLAYHEAD = QColor("#ff3b30")
TEXT = QColor("#f2f2f2")


class Peaks:
    """Waveform min/max per bucket (values -1..1) at one resolution. The timeline also accepts a
    `media.waveform.Waveform` (several cached zoom levels): both answer `peaks_between` and `duration_ms`."""

    def __init__(self, mins: np.ndarray, maxs: np.ndarray, ms_per_bucket: float) -> None:
        if len(mins) != len(maxs) or ms_per_bucket <= 0:
            raise ValueError("peaks need equal-length min/max arrays and a positive bucket size")
        self.mins = np.asarray(mins, dtype=np.float32)
        self.maxs = np.asarray(maxs, dtype=np.float32)
        self.ms_per_bucket = float(ms_per_bucket)

    @property
    def duration_ms(self) -> int:
        return int(len(self.mins) * self.ms_per_bucket)

    def peaks_between(self, start_ms: float, end_ms: float, pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """(mins, maxs) per pixel over start_ms..end_ms, zeros outside the media (as media.waveform does)."""
        mins = np.zeros(pixels, np.float32)
        maxs = np.zeros(pixels, np.float32)
        n = len(self.mins)
        if pixels <= 0 or end_ms <= start_ms or n == 0:
            return mins, maxs
        edges = np.linspace(start_ms, end_ms, pixels + 1) / self.ms_per_bucket
        lo = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, n)
        hi = np.clip(np.ceil(edges[1:]).astype(np.int64), 0, n)
        idx = np.flatnonzero((edges[1:] > 0) & (lo < n))
        if len(idx):
            sub_end = max(int(hi[idx[-1]]), int(lo[idx[-1]]) + 1)
            mins[idx] = np.minimum.reduceat(self.mins[:sub_end], lo[idx])
            maxs[idx] = np.maximum.reduceat(self.maxs[:sub_end], lo[idx])
        return mins, maxs


class TimelineCanvas(QWidget):
    """Paints the timeline and turns mouse gestures into seek, select and time-edit requests."""

    seekRequested = Signal(int)  # ms
    itemSelected = Signal(int)  # index
    itemActivated = Signal(int)  # double click: play from this item
    timesEdited = Signal(int, int, int)  # index, start_ms, end_ms (end == start for chapters)
    viewChanged = Signal()  # zoom or scroll changed (the scrollbar follows)
    rangeDrawn = Signal(int, int)  # drag on the empty lane: make a cue there (snapped, min gap kept)
    rangeSelected = Signal(int, int)  # Shift+drag on the empty lane: a selection to play

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(110)
        self.setFixedHeight(130)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._items: Sequence[Item] = ()
        self._starts = np.zeros(0, dtype=np.int64)
        self._ends = np.zeros(0, dtype=np.int64)
        self._arrays_dirty = False
        self._error_rows: set[int] = set()
        self._peaks: Peaks | None = None
        self._block_peaks: dict[int, object] = {}
        self._shots: list[int] = []  # shot changes (ms), drawn as marks and snapped to
        self._text_timer: QTimer | None = None  # coalesces repaints while typing
        self._spectrogram = None  # media.spectrogram.Spectrogram, drawn instead of the waveform when shown
        self.spectrogram_shown = False
        self.min_gap_ms = 0  # a drawn cue keeps this far from its neighbours
        self._range: tuple[int, int] | None = None  # the stretch being drawn / the selection
        self._range_drag: tuple[int, bool] | None = None  # (press ms, Shift = selection only)
        self._duration_ms = 0
        self._view_start = 0.0
        self._ms_per_px = 10.0
        self._playhead = 0
        self._selected: int | None = None
        self._follow_playhead = True
        self._drag: tuple[int, str, int, int, int] | None = None  # index, mode, press_ms, start, end
        self._preview: tuple[int, int, int] | None = None  # index, start, end while dragging
        self.snapping = True
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(7.0, self._font.pointSizeF() * 0.85))
        self._metrics = QFontMetrics(self._font)
        self._pens = {
            "error": QPen(ERROR_EDGE, 2),
            "selected": QPen(SELECTED_EDGE, 2),
            "cue": QPen(CUE_EDGE, 1),
            "ead": QPen(EAD_EDGE, 1),
        }

    # ------------------------------------------------------------------------------------ document

    def set_items(self, items: Sequence[Item]) -> None:
        """Show `items` (kept by reference: call `items_changed` after the document changed)."""
        self._items = items
        self.items_changed()

    def items_changed(self) -> None:
        self._arrays_dirty = True
        self.update()

    def text_changed(self) -> None:
        """Only a block's words changed (typing): repaint when typing pauses, not per keystroke (a
        repaint costs 1-4 ms, and the linguist reads the text box meanwhile)."""
        if self._text_timer is None:
            self._text_timer = QTimer(self, singleShot=True, interval=TEXT_REPAINT_MS)
            self._text_timer.timeout.connect(self.update)
        self._text_timer.start()

    def set_error_rows(self, rows: set[int]) -> None:
        """Rows with validation errors get a red outline."""
        rows = set(rows)
        if rows != self._error_rows:  # called per keystroke: repaint only when an outline changes
            self._error_rows = rows
            self.update()

    def set_shot_changes(self, cuts: list[int]) -> None:
        self._shots = sorted(int(c) for c in cuts)
        self.update()

    @property
    def shot_changes(self) -> list[int]:
        return list(self._shots)

    @property
    def selected_range(self) -> tuple[int, int] | None:
        return self._range

    def set_block_peaks(self, peaks: dict[int, object]) -> None:
        """Waveforms drawn inside blocks from their start (e.g. each recorded take): item index -> peaks."""
        self._block_peaks = dict(peaks)
        self.update()

    def set_peaks(self, peaks) -> None:
        """A `Peaks` or a `media.waveform.Waveform` (anything with peaks_between and duration_ms)."""
        self._peaks = peaks
        if peaks is not None:
            self._duration_ms = max(self._duration_ms, peaks.duration_ms)
        self.viewChanged.emit()
        self.update()

    def pending_ranges(self) -> list[tuple[int, int]]:
        """Stretches (ms) of the media whose audio has not arrived yet (empty once it is all here)."""
        arrived = getattr(self._peaks, "arrived", None)
        if arrived is None:
            return []
        out, at = [], 0
        for start, end in arrived:
            if start > at:
                out.append((at, start))
            at = max(at, end)
        if at < self._peaks.duration_ms:
            out.append((at, self._peaks.duration_ms))
        return out

    def set_spectrogram(self, spec) -> None:
        """The spectrogram to draw in the waveform's lane while `show_spectrogram(True)`."""
        self._spectrogram = spec
        self.update()

    def show_spectrogram(self, on: bool) -> None:
        self.spectrogram_shown = bool(on)
        self.update()

    def set_duration(self, ms: int) -> None:
        self._duration_ms = max(0, int(ms))
        self.viewChanged.emit()
        self.update()

    @property
    def duration_ms(self) -> int:
        self._ensure_arrays()
        last = int(self._ends.max()) if len(self._ends) else 0
        return max(self._duration_ms, last)

    # ---------------------------------------------------------------------------------- view state

    @property
    def ms_per_px(self) -> float:
        return self._ms_per_px

    @property
    def view_start_ms(self) -> int:
        return int(self._view_start)

    @property
    def view_span_ms(self) -> int:
        return int(self.width() * self._ms_per_px)

    def set_zoom(self, ms_per_px: float, anchor_ms: int | None = None) -> None:
        """Zoom keeping `anchor_ms` (default: the middle of the view) at the same x."""
        ms_per_px = min(MAX_MS_PER_PX, max(MIN_MS_PER_PX, float(ms_per_px)))
        if anchor_ms is None:
            anchor_ms = int(self._view_start + self.view_span_ms / 2)
        x = (anchor_ms - self._view_start) / self._ms_per_px
        self._ms_per_px = ms_per_px
        self.set_view_start(anchor_ms - x * ms_per_px)

    def zoom_by(self, factor: float, anchor_ms: int | None = None) -> None:
        self.set_zoom(self._ms_per_px / factor, anchor_ms)

    def set_view_start(self, ms: float) -> None:
        limit = max(0.0, self.duration_ms - self.view_span_ms * 0.9)
        self._view_start = min(max(0.0, float(ms)), limit)
        self.viewChanged.emit()
        self.update()

    def set_playhead(self, ms: int, follow: bool | None = None) -> None:
        """Move the playhead; while playing the view pages along so it stays visible."""
        old_x = self.x_of(self._playhead)
        self._playhead = max(0, int(ms))
        if (self._follow_playhead if follow is None else follow) and self.width() > 0:
            end = self._view_start + self.view_span_ms
            if self._playhead < self._view_start or self._playhead > end:
                self.set_view_start(self._playhead - self.view_span_ms * 0.1)
                return
        new_x = self.x_of(self._playhead)
        left = int(min(old_x, new_x)) - 2
        self.update(left, 0, int(abs(new_x - old_x)) + 5, self.height())

    @property
    def playhead_ms(self) -> int:
        return self._playhead

    def set_selected(self, index: int | None, reveal: bool = True) -> None:
        self._selected = index
        if reveal and index is not None and 0 <= index < len(self._items):
            item = self._items[index]
            end = item.start_ms if isinstance(item, Chapter) else item.end_ms
            if item.start_ms < self._view_start or end > self._view_start + self.view_span_ms:
                self.set_view_start(item.start_ms - self.view_span_ms * 0.2)
        self.update()

    @property
    def selected(self) -> int | None:
        return self._selected

    def x_of(self, ms: float) -> float:
        return (ms - self._view_start) / self._ms_per_px

    def ms_at(self, x: float) -> int:
        return round(self._view_start + x * self._ms_per_px)

    # ---------------------------------------------------------------------------------- geometry

    def _ensure_arrays(self) -> None:
        if not self._arrays_dirty:
            return
        n = len(self._items)
        starts = np.fromiter((i.start_ms for i in self._items), dtype=np.int64, count=n)
        ends = np.fromiter(
            (i.start_ms if isinstance(i, Chapter) else i.end_ms for i in self._items), dtype=np.int64, count=n
        )
        self._starts, self._ends = starts, ends
        self._arrays_dirty = False

    def visible_indexes(self, t0: float, t1: float) -> np.ndarray:
        """Indexes of items that overlap [t0, t1] (chapters: whose marker is inside)."""
        self._ensure_arrays()
        if not len(self._starts):
            return np.zeros(0, dtype=np.int64)
        return np.nonzero((self._ends >= t0) & (self._starts <= t1))[0]

    def _times(self, index: int) -> tuple[int, int]:
        if self._preview is not None and self._preview[0] == index:
            return self._preview[1], self._preview[2]
        item = self._items[index]
        return item.start_ms, item.start_ms if isinstance(item, Chapter) else item.end_ms

    def _lane(self) -> tuple[float, float]:
        return RULER_H + 4.0, self.height() - 6.0

    def hit_test(self, x: float, y: float) -> tuple[int, str] | None:
        """Which item and which part ("start", "end", "body", "marker") is under (x, y)."""
        t = self.ms_at(x)
        grab_ms = EDGE_GRAB_PX * self._ms_per_px
        candidates = self.visible_indexes(t - grab_ms, t + grab_ms)
        if not len(candidates):
            return None
        if self._is_chapters():
            best = min(candidates, key=lambda i: abs(self._starts[i] - t))
            return (int(best), "marker") if abs(self._starts[best] - t) <= grab_ms else None
        top, bottom = self._lane()
        if not top <= y <= bottom:
            return None
        # prefer edges of the selected item, then any edge, then the body of the latest-starting item
        ordered = sorted(candidates, key=lambda i: (i != self._selected, -self._starts[i]))
        for i in ordered:
            s, e = self._times(int(i))
            if abs(self.x_of(s) - x) <= EDGE_GRAB_PX and (e - s) / self._ms_per_px > 2 * EDGE_GRAB_PX:
                return int(i), "start"
            if abs(self.x_of(e) - x) <= EDGE_GRAB_PX:
                return int(i), "end"
        for i in ordered:
            s, e = self._times(int(i))
            if s <= t <= e:
                return int(i), "body"
        return None

    def _is_chapters(self) -> bool:
        return bool(self._items) and isinstance(self._items[0], Chapter)

    # ------------------------------------------------------------------------------------ painting

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, BG)
        t0 = self._view_start
        t1 = t0 + w * self._ms_per_px
        if self.spectrogram_shown and self._spectrogram is not None:
            from reach_studio.ui.timeline.spectrogram import paint_spectrogram

            paint_spectrogram(p, self._spectrogram, t0, t1, RULER_H + 2, w, h - RULER_H - 4)
        else:
            self._paint_waveform(p, w, h)
        self._paint_ruler(p, w, t0, t1)
        p.setFont(self._font)
        self._paint_shots(p, h, t0, t1)
        if self._range is not None:
            a, b = self.x_of(self._range[0]), self.x_of(self._range[1])
            top, bottom = self._lane()
            p.fillRect(QRectF(a, top, b - a, bottom - top), RANGE_FILL)
            p.setPen(QPen(RANGE_EDGE, 1))
            p.drawRect(QRectF(a, top, b - a, bottom - top))
        if self._is_chapters():
            self._paint_chapters(p, h, t0, t1)
        else:
            self._paint_blocks(p, t0, t1)
        x = self.x_of(self._playhead)
        if -2 <= x <= w + 2:
            p.setPen(QPen(PLAYHEAD, 2))
            p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()

    def _paint_ruler(self, p: QPainter, w: int, t0: float, t1: float) -> None:
        p.fillRect(0, 0, w, RULER_H, RULER_BG)
        step = _tick_step(self._ms_per_px)
        p.setPen(RULER_FG)
        p.setFont(self._font)
        first = int(t0 // step) * step
        t = first
        while t <= t1:
            x = self.x_of(t)
            p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
            p.drawText(QPointF(x + 3, RULER_H - 6), _clock(t, step < 1000))
            t += step

    def _paint_waveform(self, p: QPainter, w: int, h: int) -> None:
        peaks = self._peaks
        if peaks is None or w <= 0:
            return
        top = RULER_H + 2
        height = h - top - 2
        if height <= 4:
            return
        t0 = self._view_start
        lo, hi = peaks.peaks_between(t0, t0 + w * self._ms_per_px, w)
        if len(lo) != w:
            return
        valid = (lo != 0) | (hi != 0)
        mid = height / 2.0
        y_top = np.clip((mid - hi * mid).astype(np.int32), 0, height - 1)
        y_bot = np.clip((mid - lo * mid).astype(np.int32), 0, height - 1)
        y_top[~valid] = height
        y_bot[~valid] = -1
        rows = np.arange(height, dtype=np.int32)[:, None]
        mask = (rows >= y_top[None, :]) & (rows <= y_bot[None, :])
        argb = np.zeros((height, w), dtype=np.uint32)
        argb[mask] = np.uint32(WAVE.rgba())
        image = QImage(argb.data, w, height, w * 4, QImage.Format.Format_ARGB32)
        p.drawImage(0, top, image)
        # silence still shows where the media is: a thin centre line from 0 to the end of the media
        x0, x1 = max(0.0, self.x_of(0)), min(float(w), self.x_of(peaks.duration_ms))
        if x1 > x0:
            p.setPen(QPen(WAVE_DIM, 1))
            p.drawLine(QPointF(x0, top + mid), QPointF(x1, top + mid))
        # while the media downloads, what has not arrived yet is shaded: it is not silence
        for start, end in self.pending_ranges():
            xa, xb = max(0.0, self.x_of(start)), min(float(w), self.x_of(end))
            if xb > xa:
                p.fillRect(QRectF(xa, top, xb - xa, height), PENDING)

    def _paint_blocks(self, p: QPainter, t0: float, t1: float) -> None:
        top, bottom = self._lane()
        height = bottom - top
        visible = self.visible_indexes(t0, t1)
        ead = bool(self._items) and not hasattr(self._items[0], "speaker")
        fill, edge = (EAD_FILL, EAD_EDGE) if ead else (CUE_FILL, CUE_EDGE)
        # Blocks under 3 px (zoomed far out) are drawn together as one image band, computed with numpy;
        # only blocks wide enough to show text, plus the selected/flagged/dragged ones, go through QPainter.
        x0 = (self._starts[visible] - self._view_start) / self._ms_per_px
        x1 = (self._ends[visible] - self._view_start) / self._ms_per_px
        special = set(self._error_rows)
        if self._selected is not None:
            special.add(self._selected)
        if self._preview is not None:
            special.add(self._preview[0])
        wide = (x1 - x0) >= NARROW_PX
        if special:
            wide |= np.isin(visible, list(special))
        narrow = ~wide
        if narrow.any():
            self._paint_narrow(p, x0[narrow], x1[narrow], int(top), int(height), edge)
        rows = visible[wide].tolist()
        if self._preview is not None and self._preview[0] not in rows:
            rows.append(self._preview[0])
        line_h = self._metrics.height()
        ascent = self._metrics.ascent()
        max_lines = max(1, int((height - 4) // line_h))
        pens = self._pens
        for i in rows:
            s, e = self._times(i)
            xa, xb = self.x_of(s), self.x_of(e)
            width = xb - xa
            rect = QRectF(xa, top, width, height)
            selected = i == self._selected
            flagged = i in self._error_rows
            p.fillRect(rect, SELECTED_FILL if selected else fill)
            p.setPen(
                pens["error"] if flagged else pens["selected"] if selected else pens["ead" if ead else "cue"]
            )
            p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
            take = self._block_peaks.get(i) if self._block_peaks else None
            if take is not None and width > 3:
                self._paint_block_wave(p, take, xa, rect)
            if width > 24:
                # plain elided lines: far cheaper than a word-wrapped layout per block per frame
                p.setPen(TEXT)
                item = self._items[i]
                lines = item.text.split("\n")
                lines[0] = f"{i + 1}  {lines[0]}"
                avail = int(width - 7)
                for n, line in enumerate(lines[:max_lines]):
                    p.drawText(
                        QPointF(xa + 4, top + 3 + ascent + n * line_h),
                        self._metrics.elidedText(line, Qt.TextElideMode.ElideRight, avail),
                    )

    def _paint_shots(self, p: QPainter, h: int, t0: float, t1: float) -> None:
        if not self._shots:
            return
        from bisect import bisect_left, bisect_right

        lo, hi = bisect_left(self._shots, int(t0)), bisect_right(self._shots, int(t1) + 1)
        p.setPen(QPen(SHOT, 2, Qt.PenStyle.DashLine))
        for t in self._shots[lo:hi]:
            x = self.x_of(t)
            p.drawLine(QPointF(x, RULER_H), QPointF(x, h))
        p.setPen(QPen(SHOT, 3))
        for t in self._shots[lo:hi]:  # a small tick in the ruler, so a mark is seen even under a cue
            x = self.x_of(t)
            p.drawLine(QPointF(x, RULER_H - 6), QPointF(x, RULER_H))

    def _paint_block_wave(self, p: QPainter, peaks, xa: float, rect: QRectF) -> None:
        """The block's own waveform (a take) in its lower half, only over the visible pixels."""
        first = max(0, int(-xa))
        last = min(int(rect.width()), int(self.width() - xa))
        if last <= first:
            return
        t0 = first * self._ms_per_px  # the block's waveform starts at its own 0
        lo, hi = peaks.peaks_between(t0, t0 + (last - first) * self._ms_per_px, last - first)
        mid = rect.top() + rect.height() * 0.7
        amp = rect.height() * 0.28
        p.setPen(QPen(TAKE_WAVE, 1))
        p.drawLines(
            [
                QLineF(xa + first + k, mid - float(hi[k]) * amp, xa + first + k, mid - float(lo[k]) * amp)
                for k in range(len(lo))
                if hi[k] or lo[k]
            ]
        )

    def _paint_narrow(
        self, p: QPainter, x0: np.ndarray, x1: np.ndarray, top: int, height: int, color: QColor
    ) -> None:
        w = self.width()
        if w <= 0 or height <= 0:
            return
        a = np.clip(np.floor(x0).astype(np.int64), 0, w)
        b = np.clip(np.floor(x1).astype(np.int64) + 1, 0, w)
        diff = np.zeros(w + 1, dtype=np.int32)
        np.add.at(diff, a, 1)
        np.add.at(diff, b, -1)
        covered = np.cumsum(diff[:-1]) > 0
        if not covered.any():
            return
        band = np.zeros((height, w), dtype=np.uint32)
        band[:, covered] = np.uint32(color.rgba())
        p.drawImage(0, top, QImage(band.data, w, height, w * 4, QImage.Format.Format_ARGB32))

    def _paint_chapters(self, p: QPainter, h: int, t0: float, t1: float) -> None:
        margin = 120 * self._ms_per_px  # titles hang to the right of their marker
        for i in self.visible_indexes(t0 - margin, t1).tolist():
            s, _ = self._times(i)
            x = self.x_of(s)
            selected = i == self._selected
            color = SELECTED_EDGE if selected else CHAPTER
            p.setPen(QPen(ERROR_EDGE if i in self._error_rows else color, 3 if selected else 2))
            p.drawLine(QPointF(x, RULER_H), QPointF(x, h))
            flag = QRectF(
                x,
                RULER_H + 2,
                min(160.0, max(40.0, self._metrics.horizontalAdvance(self._items[i].title) + 10.0)),
                self._metrics.height() + 4,
            )
            p.fillRect(flag, color)
            p.setPen(QColor("#202020"))
            p.drawText(
                flag.adjusted(4, 0, -2, 0),
                Qt.AlignmentFlag.AlignVCenter,
                self._metrics.elidedText(
                    self._items[i].title, Qt.TextElideMode.ElideRight, int(flag.width() - 6)
                ),
            )

    # ------------------------------------------------------------------------------------- mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        hit = self.hit_test(pos.x(), pos.y())
        if hit is None:
            self._drag = None
            at = max(0, self.ms_at(pos.x()))
            self.seekRequested.emit(at)
            if not self._is_chapters():  # a drag from here draws a new cue (Shift: only a selection)
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._range_drag = (at, shift)
                self._range = None
            return
        index, part = hit
        self._range = None  # working on a cue ends a waveform selection
        s, e = self._times(index)
        self._drag = (index, part, self.ms_at(pos.x()), s, e)
        if index != self._selected:
            self._selected = index
            self.itemSelected.emit(index)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._range_drag is not None and event.buttons() & Qt.MouseButton.LeftButton:
            press, _shift = self._range_drag
            now = max(0, self.ms_at(pos.x()))
            if abs(self.x_of(now) - self.x_of(press)) >= DRAG_START_PX:
                use_snap = self.snapping and not (event.modifiers() & Qt.KeyboardModifier.AltModifier)
                self._range = self._drawn_range(min(press, now), max(press, now), use_snap)
                self.update()
            return
        if self._drag is None:
            hit = self.hit_test(pos.x(), pos.y())
            shape = Qt.CursorShape.ArrowCursor
            if hit is not None:
                shape = (
                    Qt.CursorShape.SizeHorCursor
                    if hit[1] in ("start", "end", "marker")
                    else Qt.CursorShape.OpenHandCursor
                )
            self.setCursor(shape)
            return
        index, part, press_ms, s, e = self._drag
        delta = self.ms_at(pos.x()) - press_ms
        use_snap = self.snapping and not (event.modifiers() & Qt.KeyboardModifier.AltModifier)
        self._preview = (index, *self._dragged_times(index, part, s, e, delta, use_snap))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._range_drag is not None:
            _press, shift = self._range_drag
            self._range_drag = None
            if self._range is not None and self._range[1] > self._range[0]:
                start, end = self._range
                if shift:
                    self.rangeSelected.emit(start, end)
                else:
                    self._range = None
                    self.update()
                    self.rangeDrawn.emit(start, end)
            return
        if self._drag is None or self._preview is None:
            self._drag = None
            return
        index, start, end = self._preview
        original = self._drag[3:]
        self._drag = None
        self._preview = None
        self.update()
        if (start, end) != tuple(original):
            self.timesEdited.emit(index, start, end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self.hit_test(event.position().x(), event.position().y())
        if hit is not None:
            self.itemActivated.emit(hit[0])

    def _dragged_times(
        self, index: int, part: str, s: int, e: int, delta: int, use_snap: bool
    ) -> tuple[int, int]:
        tolerance = int(SNAP_PX * self._ms_per_px)

        def snapped(value: int) -> int:
            if not use_snap:
                return value
            return snap(value, self._snap_targets(index, value, tolerance), tolerance)

        min_len = max(1, int(self._ms_per_px * 2))
        if part == "start":
            start = min(max(0, snapped(s + delta)), e - min_len)
            return start, e
        if part == "end":
            end = max(snapped(e + delta), s + min_len)
            return s, end
        if part == "marker":
            start = max(0, snapped(s + delta))
            return start, start
        length = e - s
        start = max(0, s + delta)
        if use_snap:  # snap whichever edge is closer to a target
            a = snapped(start)
            b = snapped(start + length) - length
            start = a if abs(a - start) <= abs(b - start) or b == start else b
        start = max(0, start)
        return start, start + length

    def _drawn_range(self, start: int, end: int, use_snap: bool) -> tuple[int, int]:
        """A drawn stretch, snapped to shot changes and cue edges (keeping the minimum gap) and never over a cue."""
        tolerance = int(SNAP_PX * self._ms_per_px)
        gap = max(0, int(self.min_gap_ms))
        if use_snap:
            near = lambda t: (
                [x for x in self._shots if abs(x - t) <= tolerance]
                + [
                    v
                    for i in self.visible_indexes(t - tolerance - gap, t + tolerance + gap).tolist()
                    for v in (int(self._ends[i]) + gap, int(self._starts[i]) - gap)
                ]
            )  # not the playhead: the press moved it
            start = snap(start, near(start), tolerance)
            end = snap(end, near(end), tolerance)
        # never over a cue: stop short of the neighbours around the stretch's start
        self._ensure_arrays()
        before = np.nonzero(self._starts <= start)[0]
        if len(before):
            start = max(start, int(self._ends[before[-1]]) + gap)
        after = np.nonzero(self._starts > start)[0]
        if len(after):
            end = min(end, int(self._starts[after[0]]) - gap)
        return start, max(start, end)

    def _snap_targets(self, index: int, around: int, tolerance: int) -> list[int]:
        near = self.visible_indexes(around - tolerance, around + tolerance)
        targets = [self._playhead, *(x for x in self._shots if abs(x - around) <= tolerance)]
        for i in near.tolist():
            if i != index:
                targets.append(int(self._starts[i]))
                targets.append(int(self._ends[i]))
        return targets

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0 or event.angleDelta().x() / 120.0
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25**steps, self.ms_at(event.position().x()))
        else:
            self.set_view_start(self._view_start - steps * self.view_span_ms * 0.15)
        event.accept()


def _tick_step(ms_per_px: float) -> int:
    """A ruler step that leaves at least ~70 px between labels."""
    for step in (
        100,
        200,
        500,
        1000,
        2000,
        5000,
        10_000,
        15_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
        900_000,
        1_800_000,
        3_600_000,
    ):
        if step / ms_per_px >= 70:
            return step
    return 7_200_000


def _clock(ms: float, fraction: bool) -> str:
    ms = int(ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    return f"{text}.{milli // 100}" if fraction else text
