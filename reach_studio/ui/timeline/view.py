"""The timeline canvas with its scrollbar and zoom buttons, as the editors lay it out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QScrollBar, QToolButton, QVBoxLayout, QWidget

from reach_studio.ui.timeline.canvas import TimelineCanvas


class TimelineView(QWidget):
    """`canvas` does the work; the scrollbar mirrors its view and scrolls it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = TimelineCanvas(self)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        zoom_in = QToolButton(self, text="+", toolTip="Zoom in (Ctrl+wheel on the timeline)")
        zoom_out = QToolButton(self, text="−", toolTip="Zoom out")
        zoom_in.clicked.connect(lambda: self.canvas.zoom_by(1.5))
        zoom_out.clicked.connect(lambda: self.canvas.zoom_by(1 / 1.5))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.scrollbar, 1)
        bar.addWidget(zoom_out)
        bar.addWidget(zoom_in)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas)
        layout.addLayout(bar)
        self._syncing = False
        self.canvas.viewChanged.connect(self._sync_scrollbar)
        self.scrollbar.valueChanged.connect(self._scrolled)

    def _sync_scrollbar(self) -> None:
        self._syncing = True
        span = max(1, self.canvas.view_span_ms)
        self.scrollbar.setRange(0, max(0, self.canvas.duration_ms - span // 2))
        self.scrollbar.setPageStep(span)
        self.scrollbar.setSingleStep(max(1, span // 10))
        self.scrollbar.setValue(self.canvas.view_start_ms)
        self._syncing = False

    def _scrolled(self, value: int) -> None:
        if not self._syncing:
            self.canvas.set_view_start(value)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._sync_scrollbar()
