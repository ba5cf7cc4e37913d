"""Screenshots of the editor's problems panel, the waveform (a cue drawn and a selection, both snapped to
shot changes), the spectrogram, the spell check and the keyboard shortcut list, from the real widgets in a real X server (Xvfb):

    xvfb-run -a -s "-screen 0 1600x1100x24" env QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_editor_screenshots.py

Writes docs/editor-problems-panel.png, docs/editor-waveform-shots.png, docs/editor-spectrogram.png,
docs/editor-spell-check.png and docs/shortcut-list.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
os.environ.setdefault("REACH_STUDIO_PLAYER", "qt")
os.environ["REACH_STUDIO_HOME"] = tempfile.mkdtemp(prefix="reach-editor-shots-")
DOCS = Path(__file__).resolve().parent


def make_clip(folder: Path) -> Path:
    """30 s in five shots (colour fields and test patterns), with a sound track that talks in bursts."""
    import imageio_ffmpeg

    out = folder / "0_shots.mp4"
    shots = [
        "color=c=0x30506a:s=640x360:d=6:r=25",
        "testsrc2=s=640x360:d=7:r=25",
        "color=c=0x6a3a30:s=640x360:d=5:r=25",
        "smptebars=s=640x360:d=6:r=25",
        "color=c=0x2f6a3a:s=640x360:d=6:r=25",
    ]
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y"]
    for shot in shots:
        args += ["-f", "lavfi", "-i", shot]
    args += [
        "-f",
        "lavfi",
        "-i",
        # a voice-like sound in bursts: a 180 Hz tone with harmonics, and hiss now and then ("s" sounds),
        # so the waveform talks and the spectrogram shows bands
        (
            "aevalsrc=gt(sin(2*PI*0.23*t)\\,0)*(0.4+0.6*abs(sin(2*PI*2.3*t)))"
            "*(0.45*sin(2*PI*180*t)+0.2*sin(2*PI*360*t)+0.12*sin(2*PI*540*t)+0.06*sin(2*PI*1260*t)"
            "+0.25*(random(0)*2-1)*gt(sin(2*PI*1.1*t)\\,0.85)):s=16000:d=30"
        ),
        "-filter_complex",
        "".join(f"[{i}]" for i in range(5)) + "concat=n=5:v=1:a=0[v]",
        "-map",
        "[v]",
        "-map",
        "5:a",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(out),
    ]
    subprocess.run(args, check=True, timeout=180)
    return out


def main() -> int:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from reach_studio.domain.captions import Cue
    from reach_studio.domain.enums import ServiceFeature
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from reach_studio.ui.main_window import MainWindow
    from tests.factories import make_task

    app = QApplication([])

    def spin(cond, timeout=60.0):
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        return cond()

    def shoot(widget, name: str) -> None:
        spin(lambda: False, 0.6)  # let the window manager-less X server draw everything
        image = widget.screen().grabWindow(widget.winId()).toImage()
        image.save(str(DOCS / name))
        print("wrote", DOCS / name, image.width(), "x", image.height())

    clip = make_clip(Path(tempfile.mkdtemp(prefix="clip-")))
    task = make_task(ServiceFeature.CAPTIONS, max_chars=32)
    task.catalog_item.enable_speaker_id = True
    task.entry_duration_ms = 30_000
    editor = TimedEditor(TaskContext(task, None, DraftStore()))
    editor.setWindowTitle("Reach Studio — captions · problems panel")
    editor.resize(1500, 940)
    editor.show()
    editor.set_media(clip)
    spin(
        lambda: len(editor.timeline.canvas.shot_changes) >= 4 and editor.timeline.canvas._peaks is not None,
        90,
    )
    editor.load_items(
        [
            Cue(400, 2600, "Welcome back to the course.", "Prof. Okafor"),
            Cue(
                2700,
                3100,
                "Today we look at the muscles of the upper arm and how they work together.",
                "Prof. Okafor",
            ),
            Cue(6200, 8900, "The biceps brachii has two heads.", "Prof. Okafor"),
            Cue(8950, 9300, "Why two?", None),
            Cue(13200, 16800, "Good question: the long head crosses the shoulder joint.", "Prof. Okafor"),
            Cue(18300, 21000, "So it also helps to lift the arm forwards.", "Prof. Okafor"),
        ]
    )
    editor.select(1, seek=True)
    panel = editor.problems_panel
    spin(lambda: len(panel.problems) >= 4, 5)
    panel.view.selectRow(0)
    spin(lambda: False, 0.3)
    shoot(editor, "editor-problems-panel.png")

    # the waveform: a selection drawn across the shot changes (Shift+drag), snapped to the cut
    canvas = editor.timeline.canvas
    editor.select(3, seek=False)
    canvas.set_zoom(22.0)
    canvas.set_view_start(0)
    y = (canvas._lane()[0] + canvas._lane()[1]) / 2
    cut = next(c for c in canvas.shot_changes if c > 11000)

    def send(kind, x, buttons, mods):
        pos = QPointF(x, y)
        QApplication.sendEvent(
            canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons, mods)
        )

    def drag(x0, x1, mods):
        send(QEvent.Type.MouseButtonPress, x0, Qt.MouseButton.LeftButton, mods)
        for k in range(1, 9):
            send(QEvent.Type.MouseMove, x0 + (x1 - x0) * k / 8, Qt.MouseButton.LeftButton, mods)
        send(QEvent.Type.MouseButtonRelease, x1, Qt.MouseButton.NoButton, mods)

    # a cue drawn across the empty waveform after cue 6: its end snaps to the next shot change
    later = next(c for c in canvas.shot_changes if c > 22000)
    drag(canvas.x_of(21600), canvas.x_of(later - 70), Qt.KeyboardModifier.NoModifier)
    QTest.keyClicks(editor.text_edit, "Drawn on the waveform.")
    print("drawn", editor.items()[-1], "cut", later)
    editor.select(3, seek=False)

    shift = Qt.KeyboardModifier.ShiftModifier
    x0, x1 = canvas.x_of(9900), canvas.x_of(cut - 60)
    send(QEvent.Type.MouseButtonPress, x0, Qt.MouseButton.LeftButton, shift)
    for k in range(1, 9):
        send(QEvent.Type.MouseMove, x0 + (x1 - x0) * k / 8, Qt.MouseButton.LeftButton, shift)
    send(QEvent.Type.MouseButtonRelease, x1, Qt.MouseButton.NoButton, shift)
    print("selection", editor.range_selection, "cut", cut, "shots", canvas.shot_changes)
    editor.setWindowTitle("Reach Studio — waveform: a drawn cue and a selection snapped to shot changes")
    shoot(editor, "editor-waveform-shots.png")

    # the optional spectrogram (toolbar: Spectrogram), computed off the GUI thread
    editor.spectrogram.action.setChecked(True)
    spin(lambda: canvas._spectrogram is not None, 60)
    editor.setWindowTitle("Reach Studio — timeline with the spectrogram")
    shoot(editor, "editor-spectrogram.png")
    editor.spectrogram.action.setChecked(False)

    # the whole-document spell check (F7), one word changed already, the next one shown with suggestions
    editor.load_items(
        [
            Cue(400, 2600, "Welcome back to the cource.", "Prof. Okafor"),
            Cue(2700, 5100, "Today: the muscels of the upper arm.", "Prof. Okafor"),
            Cue(6200, 8900, "The bicepps brachii has two heads.", "Prof. Okafor"),
            Cue(9300, 12000, "Okafor's notes are online.", "Prof. Okafor"),
        ]
    )
    spin(lambda: editor.spell.speller is not None, 30)
    editor.activateWindow()
    editor.open_spell_check()
    dialog = editor.spell_dialog
    spin(lambda: "cource" in dialog.word_label.text(), 5)
    dialog.change()  # "course"
    spin(lambda: "muscels" in dialog.word_label.text(), 5)
    dialog.move(editor.geometry().center() - dialog.rect().center())
    spin(lambda: False, 0.6)
    geo = editor.frameGeometry()
    image = editor.screen().grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height()).toImage()
    image.save(str(DOCS / "editor-spell-check.png"))
    print("wrote", DOCS / "editor-spell-check.png", image.width(), "x", image.height())
    dialog.close()
    editor.close()

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    win.show()
    win.show_shortcuts()
    dialog = win.shortcuts_dialog
    dialog.resize(760, 1040)  # every row, none scrolled out of sight
    spin(dialog.isVisible, 5)
    shoot(dialog, "shortcut-list.png")
    win.service.stop()
    from reach_studio.workers.background import wait_for_all

    wait_for_all(5000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
