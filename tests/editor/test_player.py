"""Both player back-ends play, seek, step, change rate and loop a cue on a real clip (offscreen)."""

from __future__ import annotations

import itertools

import pytest

from reach_studio.ui.player import PlayerError, VideoView, create_player, qt_backend, vlc_backend

pytestmark = pytest.mark.timeout(120)  # a stuck media back-end fails the test instead of the run

BACKENDS = [
    pytest.param("qt", marks=pytest.mark.skipif(not qt_backend.available(), reason="no Qt Multimedia")),
    pytest.param("vlc", marks=pytest.mark.skipif(not vlc_backend.available(), reason="no usable libvlc")),
]


@pytest.fixture(params=BACKENDS)
def player(request, qtbot, test_clip):
    p = create_player(prefer=request.param)
    assert p is not None
    view = VideoView()
    view.resize(480, 270)
    qtbot.addWidget(view)
    view.attach(p)
    view.show()
    p.load(test_clip)
    qtbot.waitUntil(lambda: p.duration() > 3000, timeout=10_000)
    yield p, view
    p.close()


def test_plays_and_position_advances(qtbot, player):
    p, _ = player
    positions = []
    p.positionChanged.connect(positions.append)
    p.play()
    qtbot.waitUntil(lambda: bool(positions) and positions[-1] > 400, timeout=8000)
    p.pause()
    assert not p.is_playing()


def _colours(view, top_half: bool = False) -> set[str]:
    """The distinct colours of a 16-pixel grid over the view as it is painted now."""
    image = view.grab().toImage()
    height = image.height() // 2 if top_half else image.height()
    return {image.pixelColor(x, y).name() for x in range(0, image.width(), 16) for y in range(0, height, 16)}


def test_seek_step_and_rate(qtbot, player):
    p, _ = player
    p.seek(2000)
    qtbot.waitUntil(lambda: abs(p.position() - 2000) < 100, timeout=5000)
    p.step(5)
    assert abs(p.position() - 2200) < 120
    p.set_rate(1.5)
    assert p.rate() == 1.5
    with pytest.raises(PlayerError, match="between"):
        p.set_rate(3.0)


def test_loop_current_cue(qtbot, player):
    p, _ = player
    p.set_loop(1000, 1600)
    p.seek(1000)
    seen = []
    p.positionChanged.connect(seen.append)
    p.play()
    qtbot.waitUntil(lambda: any(x > 1300 for x in seen), timeout=8000)
    seen.clear()
    # past the loop's end the player jumps back to its start instead of playing on
    qtbot.waitUntil(lambda: any(a > 1300 and b < 1300 for a, b in itertools.pairwise(seen)), timeout=8000)
    p.pause()
    assert max(seen) < 2300


def test_caption_overlay_is_drawn_over_the_picture(qtbot, player):
    p, view = player
    p.seek(1000)
    p.play()
    view.set_caption("Hello overlay")
    # the picture shows the test pattern (not all black) under the caption box
    qtbot.waitUntil(lambda: len(_colours(view, top_half=True)) > 4, timeout=10000)
    p.pause()
    assert view.caption_text == "Hello overlay"


def test_missing_file_is_a_clear_error(qtbot, tmp_path):
    p = create_player(prefer="qt")
    with pytest.raises(PlayerError, match="not found"):
        p.load(tmp_path / "nope.mp4")
    p.close()


def test_paused_seek_shows_that_frame_and_keeps_the_exact_position(qtbot, player):
    p, view = player
    p.seek(2500)
    qtbot.waitUntil(lambda: len(_colours(view)) > 4, timeout=10000)  # the test pattern, not a black box
    assert not p.is_playing()
    assert abs(p.position() - 2500) <= 40  # "set start at playhead" must use this exact time


@pytest.mark.skipif(not vlc_backend.available(), reason="no usable libvlc")
def test_vlc_is_released_when_its_owner_is_deleted_without_close(qtbot, test_clip):
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    p = create_player(owner, prefer="vlc")
    state = p._released
    p.load(test_clip)
    qtbot.waitUntil(lambda: p.duration() > 3000, timeout=10_000)
    p.play()
    qtbot.waitUntil(p.is_playing, timeout=5000)  # deleted while it decodes
    owner.deleteLater()
    qtbot.waitUntil(lambda: state["done"], timeout=5000)  # libvlc stopped and released, no stray decoding


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stream_plays_and_hands_over_to_the_file_at_the_same_position(qtbot, test_clip, backend):
    """Issue 15, start at once: the stream plays while the file downloads; then the file takes over."""
    from PySide6.QtCore import QUrl

    p = create_player(prefer=backend)
    view = VideoView()
    qtbot.addWidget(view)
    view.attach(p)
    view.show()
    try:
        p.load_url(QUrl.fromLocalFile(str(test_clip)).toString(), 4000)
        p.play()
        qtbot.waitUntil(lambda: p.position() > 1200, timeout=15_000)
        p.pause()
        at = p.position()
        p.switch_to(test_clip)
        qtbot.waitUntil(lambda: abs(p.position() - at) < 300 and p.duration() > 3000, timeout=15_000)
        p.play()  # and it goes on from there
        qtbot.waitUntil(lambda: p.position() > at + 400, timeout=15_000)
        assert p.is_playing()
    finally:
        p.close()
