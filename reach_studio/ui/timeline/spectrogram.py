"""Draws a `media.spectrogram.Spectrogram` in the timeline's waveform lane (the canvas's optional mode).

One QImage per paint, built with numpy from the visible columns only and a 256-colour palette (dark blue
through red to pale yellow, so speech bands stand out from the background), as cheap as the waveform.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPainter

_STOPS = [  # level -> colour
    (0, (0x1D, 0x1F, 0x21)),  # the canvas background: silence is not a colour
    (60, (0x1B, 0x1E, 0x5A)),
    (120, (0x6A, 0x1B, 0x7A)),
    (175, (0xC8, 0x3A, 0x4E)),
    (220, (0xF4, 0x8C, 0x2A)),
    (255, (0xFC, 0xF1, 0xA8)),
]


def palette() -> np.ndarray:
    """256 opaque ARGB32 colours."""
    xs = [s for s, _ in _STOPS]
    channels = [np.interp(np.arange(256), xs, [c[k] for _, c in _STOPS]).astype(np.uint32) for k in range(3)]
    return (np.uint32(0xFF000000) | (channels[0] << 16) | (channels[1] << 8) | channels[2]).astype(np.uint32)


_PALETTE = palette()


def spectrogram_image(spec, start_ms: float, end_ms: float, width: int, height: int) -> QImage | None:
    """The visible stretch as a width x height image, low frequencies at the bottom."""
    if width <= 0 or height <= 0:
        return None
    cols = spec.columns_between(start_ms, end_ms, width)  # bands x width
    bands = cols.shape[0]
    rows = ((height - 1 - np.arange(height)) * bands // height).clip(0, bands - 1)
    argb = np.ascontiguousarray(_PALETTE[cols[rows, :]])
    image = QImage(argb.data, width, height, width * 4, QImage.Format.Format_ARGB32)
    return image.copy()  # own the pixels: `argb` goes away with this frame


def paint_spectrogram(
    p: QPainter, spec, start_ms: float, end_ms: float, top: int, width: int, height: int
) -> None:
    image = spectrogram_image(spec, start_ms, end_ms, width, height)
    if image is not None:
        p.drawImage(0, top, image)
