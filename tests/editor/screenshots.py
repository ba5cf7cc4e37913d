"""Screenshots of each editor mode from the real widgets, offscreen, for docs/.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.editor.screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("REACH_STUDIO_HOME", tempfile.mkdtemp(prefix="shots-"))

from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import CaptionDocument, Chapter, Cue, DescriptionCue
from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.factories import make_clip, make_task

DOCS = Path(__file__).resolve().parents[2] / "docs"


def demo_clip(folder: Path) -> Path:
    """20 s of test picture with a voice-like 180 Hz tone in bursts, so the waveform has shape."""
    return make_clip(
        folder / "demo.mp4",
        seconds=20,
        video="testsrc2=size=640x360:rate=25",
        audio="aevalsrc=0.7*sin(2*PI*180*t)*abs(sin(2*PI*0.45*t))*(0.4+0.6*abs(sin(2*PI*2.3*t))):s=16000",
    )


CAPTIONS = [
    Cue(600, 2900, "Welcome back to the channel.", "HOST"),
    Cue(3100, 5600, "Today we look at how captions\nare timed to the picture.", "HOST"),
    Cue(5800, 7400, "It takes practice."),
    Cue(7500, 9900, "This line is far too long for the profile's limit of forty-two", "GUEST"),
    Cue(10_200, 12_600, "Let's start with the waveform.", "HOST"),
    Cue(12_800, 15_000, "Speech shows as peaks,\nsilence as a flat line."),
]


def shoot(app: QApplication, clip: Path, feature: ServiceFeature, name: str, setup) -> None:
    task = make_task(
        feature,
        task_id=4000 + int(feature),
        target="French" if feature == ServiceFeature.TRANSLATION else None,
        dictionary="Kaltura\nREACH",
    )
    task.entry_duration_ms = 20_000
    source = CaptionDocument([c.copy(speaker=None) for c in CAPTIONS[:5]], language="English")
    ctx = TaskContext(
        task, None, None, source_captions=source if feature == ServiceFeature.TRANSLATION else None
    )
    editor = TimedEditor(ctx)
    editor.resize(1440, 900)
    editor.show()
    editor.set_media(clip)
    setup(editor)
    deadline = time.time() + 20
    while time.time() < deadline and (
        editor.timeline.canvas._peaks is None
        or editor.highlighter.speller is None
        and editor.spell.code is not None
    ):
        app.processEvents()
        time.sleep(0.02)
    editor.timeline.canvas.set_zoom(12.0)
    editor.timeline.canvas.set_view_start(0)
    frames = []
    editor.player.frameReady.connect(frames.append) if hasattr(editor.player, "frameReady") else None
    editor.seek(editor.items()[min(1, len(editor.items()) - 1)].start_ms + 400)
    end = time.time() + 5
    while time.time() < end and not (frames and time.time() > end - 4):  # the frame at the playhead
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    path = DOCS / name
    if os.environ.get("SHOTS_DEBUG"):
        print(
            name,
            "frames after seek",
            len(frames),
            "pos",
            editor.player.position(),
            "still",
            editor.player._still,
            "vlc time",
            editor.player._mp.get_time() if hasattr(editor.player, "_mp") else None,
        )
    editor.grab().save(str(path))
    print("wrote", path)
    editor.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="shots-media-"))
    clip = demo_clip(folder)

    def captions(ed: TimedEditor) -> None:
        ed.load_items(list(CAPTIONS))
        ed.select(1, seek=False)

    def translation(ed: TimedEditor) -> None:
        for row, text in enumerate(
            [
                "Bon retour sur la chaîne.",
                "Aujourd'hui, nous voyons comment\nles sous-titres sont calés sur l'image.",
                "Il faut de la pratique.",
            ]
        ):
            ed.select(row, seek=False)
            ed.text_edit.setPlainText(text)
        ed.select(1, seek=False)

    def ead(ed: TimedEditor) -> None:
        ed.load_items(
            [
                DescriptionCue(500, 4000, "A colour test pattern fills the screen; a clock counts up."),
                DescriptionCue(5000, 9000, "The pattern keeps moving; a white circle sweeps around."),
                DescriptionCue(11_000, 15_000, ""),
            ]
        )
        ed.select(1, seek=False)

    def chapters(ed: TimedEditor) -> None:
        ed.load_items(
            [
                Chapter(0, "Welcome", "What the video covers"),
                Chapter(5800, "Timing captions", "Setting start and end from the waveform"),
                Chapter(12_000, "The waveform", "Reading speech from the peaks"),
            ]
        )
        ed.select(1, seek=False)

    shoot(app, clip, ServiceFeature.CAPTIONS, "editor-captions.png", captions)
    shoot(app, clip, ServiceFeature.TRANSLATION, "editor-translation.png", translation)
    shoot(app, clip, ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, "editor-ead.png", ead)
    shoot(app, clip, ServiceFeature.CHAPTERING, "editor-chapters.png", chapters)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
