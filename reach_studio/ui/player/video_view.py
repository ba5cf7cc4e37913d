"""The video picture with the caption overlaid as it will look on the Kaltura player.

A QGraphicsView holding the video (QGraphicsVideoItem for Qt Multimedia, a pixmap fed by frames for
VLC) and a caption item drawn on top: white text on a translucent black box, bottom centre.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

from reach_studio.ui.player.base import MediaPlayerBase

CAPTION_HEIGHT_SHARE = 1 / 16  # caption text height against the picture's (22 px on 640x360)
MIN_CAPTION_PX = 6


class VideoView(QGraphicsView):
    """Shows a player's picture and the current caption text over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QColor("black"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMinimumSize(320, 180)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._frame_rect = QRectF(0, 0, 640, 360)
        self._scene.setSceneRect(self._frame_rect)
        self._video_item = None
        self._pixmap_item = QGraphicsPixmapItem()
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._pixmap_item)
        self._box = QGraphicsRectItem()
        self._box.setBrush(QBrush(QColor(0, 0, 0, 170)))
        self._box.setPen(Qt.PenStyle.NoPen)
        self._box.setZValue(10)
        self._scene.addItem(self._box)
        self._caption = QGraphicsTextItem()
        self._caption.setDefaultTextColor(QColor("white"))
        font = QFont(self.font())
        font.setPixelSize(22)
        font.setWeight(QFont.Weight.DemiBold)
        self._caption.setFont(font)
        self._caption.setZValue(11)
        self._scene.addItem(self._caption)
        self._message = QGraphicsSimpleTextItem()
        self._message.setBrush(QColor("#bbbbbb"))
        self._message.setZValue(5)
        self._scene.addItem(self._message)
        self.set_caption("")
        self.set_message("No media yet")

    def attach(self, player: MediaPlayerBase | None) -> None:
        """Show `player`'s picture (QGraphicsVideoItem for Qt, frames for VLC)."""
        if self._video_item is not None:
            self._scene.removeItem(self._video_item)
            self._video_item = None
        if player is None:
            return
        item = getattr(player, "video_item", None)
        if item is not None:
            self._video_item = item
            item.setSize(self._frame_rect.size())
            item.setZValue(1)
            self._scene.addItem(item)
            item.nativeSizeChanged.connect(self._native_size)
        frames = getattr(player, "frameReady", None)
        if frames is not None:
            frames.connect(self.show_frame)

    def _native_size(self, size) -> None:
        if size.width() > 0 and size.height() > 0:
            self._set_frame_size(size.width(), size.height())

    def show_frame(self, image: QImage) -> None:
        if image.isNull():
            return
        if image.width() != int(self._frame_rect.width()) or image.height() != int(self._frame_rect.height()):
            self._set_frame_size(image.width(), image.height())
        self._pixmap_item.setPixmap(QPixmap.fromImage(image))
        self._message.setText("")

    def _set_frame_size(self, w: float, h: float) -> None:
        self._frame_rect = QRectF(0, 0, w, h)
        self._scene.setSceneRect(self._frame_rect)
        if self._video_item is not None:
            self._video_item.setSize(self._frame_rect.size())
        self._layout_caption()
        self.fitInView(self._frame_rect, Qt.AspectRatioMode.KeepAspectRatio)

    def set_message(self, text: str) -> None:
        """A line shown when there is no picture (e.g. "Downloading media…")."""
        self._message.setText(text)
        r = self._message.boundingRect()
        self._message.setPos(
            (self._frame_rect.width() - r.width()) / 2, (self._frame_rect.height() - r.height()) / 3
        )

    def set_caption(self, text: str) -> None:
        self._caption.setPlainText(text)
        self._layout_caption()

    @property
    def caption_text(self) -> str:
        return self._caption.toPlainText()

    def caption_lines(self) -> list[str]:
        """The caption's lines as drawn on the picture (each laid-out line's text)."""
        out = []
        block = self._caption.document().begin()
        while block.isValid():
            layout, text = block.layout(), block.text()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                out.append(text[line.textStart() : line.textStart() + line.textLength()])
            block = block.next()
        return out

    def _layout_caption(self) -> None:
        """The caption at a size proportional to the picture, with the delivered file's line breaks: a
        line too wide for the picture makes the text smaller, never wraps it (a wrap showed three lines
        of a two-line cue)."""
        text = self._caption.toPlainText()
        self._caption.setVisible(bool(text))
        self._box.setVisible(bool(text))
        if not text:
            return
        font = self._caption.font()
        font.setPixelSize(max(MIN_CAPTION_PX, round(self._frame_rect.height() * CAPTION_HEIGHT_SHARE)))
        self._caption.setFont(font)
        self._caption.setTextWidth(-1)  # no wrapping: a block's width is its longest line
        max_w = self._frame_rect.width() * 0.9
        wide = self._caption.boundingRect().width()
        if wide > max_w:
            font.setPixelSize(max(MIN_CAPTION_PX, int(font.pixelSize() * max_w / wide)))
            self._caption.setFont(font)
        r = self._caption.boundingRect()
        x = (self._frame_rect.width() - r.width()) / 2
        y = self._frame_rect.height() - r.height() - self._frame_rect.height() * 0.06
        self._caption.setPos(x, y)
        self._box.setRect(QRectF(x - 4, y, r.width() + 8, r.height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fitInView(self._frame_rect, Qt.AspectRatioMode.KeepAspectRatio)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fitInView(self._frame_rect, Qt.AspectRatioMode.KeepAspectRatio)
