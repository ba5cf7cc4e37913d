"""Screenshots of the voice editor and the sign-language editor from the real widgets, offscreen, for docs/.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.voice.screenshots
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

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.editor.screenshots import make_clip
from tests.factories import make_task
from tests.voice.conftest import ffmpeg, pcm_buffer

DOCS = Path(__file__).resolve().parents[2] / "docs"
DESCRIPTIONS = [
    (600, "A colour test pattern fills the screen.", 1.9),
    (4300, "A clock in the corner counts the seconds.", 2.3),
    (9000, "A white circle sweeps around the pattern.", 2.1),
    (13_500, "The picture holds still.", None),
]


def pump(app: QApplication, seconds: float, until=lambda: False) -> None:
    end = time.time() + seconds
    while time.time() < end and not until():
        app.processEvents()
        time.sleep(0.02)


def voice(app: QApplication, clip: Path) -> None:
    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, task_id=4004)
    task.entry_duration_ms = 20_000
    editor = VoiceEditor(TaskContext(task, None, None, media_path=None), recorder_reason="")
    editor.resize(1440, 900)
    editor.show()
    editor.set_media(clip)
    for start, text, seconds in DESCRIPTIONS:
        editor.seek(start)
        row = editor.add_line_at_playhead(text)
        if seconds:
            buf = pcm_buffer(seconds + 0.3, 330)
            editor.select(row, seek=False)
            editor.start_recording(device=buf)
            pump(app, 10, buf.atEnd)
            pump(app, 0.1)
            editor.stop_recording()
            pump(app, 10, lambda: not editor.preparing_takes)
    pump(app, 20, lambda: editor.timeline.canvas._peaks is not None)
    editor.timeline.canvas.set_zoom(12.0)
    editor.timeline.canvas.set_view_start(0)
    editor.select(1)
    pump(app, 1.5)
    editor.grab().save(str(DOCS / "editor-voice.png"))
    print("wrote", DOCS / "editor-voice.png")
    editor.close()


def sign(app: QApplication, folder: Path) -> None:
    signed = folder / "signed.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=480x360:rate=25:duration=19",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        str(signed),
    )
    task = make_task(ServiceFeature.SIGN_LANGUAGE, task_id=4019, target="English (ASL)")
    task.entry_duration_ms = 20_000
    editor = SignLanguageEditor(TaskContext(task, None, None))
    editor.resize(1440, 900)
    editor.show()
    editor.set_sign_video(signed)
    pump(app, 10, lambda: editor.info is not None)
    if editor.player is not None:
        editor.player.seek(4000)
    pump(app, 1.5)
    editor.grab().save(str(DOCS / "editor-sign-language.png"))
    print("wrote", DOCS / "editor-sign-language.png")
    editor.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="shots-media-"))
    voice(app, make_clip(folder))
    sign(app, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
