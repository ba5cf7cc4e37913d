"""Media player for the editors: one interface (`MediaPlayerBase`), VLC or Qt Multimedia underneath."""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject

from reach_studio.ui.player.base import FRAME_MS, MediaPlayerBase, PlayerError
from reach_studio.ui.player.video_view import VideoView

log = logging.getLogger(__name__)

__all__ = ["FRAME_MS", "MediaPlayerBase", "PlayerError", "VideoView", "create_player", "warm_up"]


def create_player(parent: QObject | None = None, prefer: str | None = None) -> MediaPlayerBase | None:
    """The best player available: VLC when libvlc works, else Qt Multimedia, else None (no playback).

    `prefer` ("vlc" or "qt", default from $REACH_STUDIO_PLAYER) picks a back-end when both work.
    """
    for name in _order(prefer):
        try:
            if name == "vlc":
                from reach_studio.ui.player import vlc_backend

                if vlc_backend.available():
                    return vlc_backend.VlcMediaPlayer(parent)
            else:  # Qt Multimedia is imported only when VLC is not used (it loads its own FFmpeg)
                from reach_studio.ui.player import qt_backend

                if qt_backend.available():
                    return qt_backend.QtMediaPlayer(parent)
        except PlayerError as exc:
            log.info("player back-end %s unavailable: %s", name, exc)
    return None


def warm_up(prefer: str | None = None) -> None:
    """Load the preferred back-end's native libraries on a worker thread (libvlc scans its plugins for
    up to a second), so the first task's player is made without the GUI thread waiting."""
    if _order(prefer)[0] == "vlc":
        from reach_studio.ui.player import vlc_backend

        vlc_backend.warm_up()


def _order(prefer: str | None) -> list[str]:
    order = ["vlc", "qt"]
    prefer = (prefer or os.environ.get("REACH_STUDIO_PLAYER") or "").lower()
    if prefer in order:
        order.remove(prefer)
        order.insert(0, prefer)
    return order
