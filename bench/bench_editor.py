"""Editor figures: opening a 2,000-cue task (target ≤ 300 ms) and typing in a 5,000-cue document
(target ≤ 16 ms per keystroke; Subtitle Edit users report lag from 1,000–1,500 cues).

Each figure is printed next to a baseline measured in this run: opening an empty task (the fixed cost of
the widgets) and typing in a 10-cue document (so any growth with document size shows). Typing is reported in
wall time and in the GUI thread's CPU time: on a shared, loaded machine the wall-time p95 mostly measures the
wait for a core, while the CPU time is what the key itself costs. To compare with another revision in the
same run, run this script with PYTHONPATH pointing at that revision's tree.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_editor.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("REACH_STUDIO_HOME", tempfile.mkdtemp(prefix="bench-editor-"))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import ServiceFeature, ServiceType, TaskStatus, TurnAroundTime
from reach_studio.domain.task import CatalogItem, ReachProfile, Task
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from reach_studio.workers.background import wait_for_all


def task(feature: ServiceFeature, task_id: int) -> Task:
    catalog = CatalogItem(
        id=1,
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=TurnAroundTime.FORTY_EIGHT_HOURS,
        source_language="English",
        target_language="French" if feature == ServiceFeature.TRANSLATION else None,
    )
    return Task(
        id=task_id,
        partner_id=1,
        vendor_partner_id=2,
        entry_id="0_bench",
        status=TaskStatus.PROCESSING,
        catalog_item_id=1,
        reach_profile_id=1,
        service_feature=feature,
        catalog_item=catalog,
        reach_profile=ReachProfile(id=1, max_characters_per_caption_line=42),
        entry_duration_ms=4 * 3600_000,
        account="bench",
    )


def cues(n: int) -> list[Cue]:
    out, t = [], 0
    for i in range(n):
        out.append(Cue(t, t + 2500, f"Cue number {i} says something\nand then a little more"))
        t += 2800
    return out


def open_time(app, ctx: TaskContext) -> float:
    t0 = time.perf_counter()
    editor = TimedEditor(ctx, player=None)
    editor.resize(1400, 900)
    editor.show()
    app.processEvents()  # first paint of the list, panel and timeline
    elapsed = (time.perf_counter() - t0) * 1000
    editor.close()
    editor.deleteLater()
    app.processEvents()
    return elapsed


def typing_times(
    app,
    store: DraftStore,
    n_cues: int,
    task_id: int,
    keys: int = 150,
    problems: bool = False,
    every_cue_flagged: bool = False,
    deferred: list[float] | None = None,
) -> list[float]:
    """Per-key time. `problems`: the problems panel is open and each key also pays for its refresh (the
    real panel coalesces refreshes, so this is the worst case). `every_cue_flagged`: every cue carries a
    warning (too short), so the panel lists 5,000 problems."""
    t = task(ServiceFeature.CAPTIONS, task_id)
    doc = cues(n_cues)
    if every_cue_flagged:
        doc = [Cue(c.start_ms, c.start_ms + 600, c.text) for c in doc]
    store.save_snapshot(
        draft_key(t.account, t.id), "captions", {"items": [edit_ops.item_to_dict(c) for c in doc]}
    )
    editor = TimedEditor(TaskContext(t, None, store), player=None)
    editor.resize(1400, 900)
    editor.show()
    editor.problems_action.setChecked(problems)
    app.processEvents()
    panel = editor.problems_panel
    editor.select(n_cues // 2)
    editor.text_edit.setFocus()
    editor.text_edit.moveCursor(editor.text_edit.textCursor().MoveOperation.End)
    app.processEvents()
    times: list[float] = []
    cpu: list[
        float
    ] = []  # the GUI thread's CPU time per key: what the key costs, whatever the machine's load
    for k in range(keys):
        key = Qt.Key.Key_Backspace if k % 10 == 9 else Qt.Key.Key_A + (k % 26)
        t0, c0 = time.perf_counter(), time.thread_time()
        QTest.keyClick(editor.text_edit, key)
        app.processEvents()  # model update, checks, journal queue, repaint of what changed
        if problems and panel._timer.isActive():  # the panel's (normally coalesced) refresh, every key
            panel._timer.stop()
            panel.refresh()
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    assert len(editor.items()) == n_cues
    if deferred is not None:  # what waits for a pause in typing: the timeline's repaint of the words
        for _ in range(20):
            t0 = time.perf_counter()
            editor.timeline.canvas.repaint()
            deferred.append((time.perf_counter() - t0) * 1000)
    editor.flush_draft()
    editor.close()
    CPU[(n_cues, problems, every_cue_flagged)] = cpu
    return times


CPU: dict[tuple, list[float]] = {}


def line(label: str, times: list[float]) -> str:
    p95 = sorted(times)[int(len(times) * 0.95)]
    return (
        f"  {label:<44} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
        f"worst {max(times):7.2f} ms"
    )


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    home = Path(os.environ["REACH_STUDIO_HOME"])
    store = DraftStore(home / "drafts.sqlite3")
    # warm-up: imports, fonts, the spelling list
    open_time(app, TaskContext(task(ServiceFeature.CAPTIONS, 1), None, None))
    wait_for_all()

    print("Opening a task (editor built, shown and painted once):")
    src = CaptionDocument(cues(2000), language="English")
    runs = {
        "baseline: empty captions task": [],
        "2,000-cue draft (captions, restored)": [],
        "2,000-cue translation (source + target)": [],
    }
    t2000 = task(ServiceFeature.CAPTIONS, 2)
    store.save_snapshot(
        draft_key(t2000.account, t2000.id),
        "captions",
        {"items": [edit_ops.item_to_dict(c) for c in cues(2000)]},
    )
    for _ in range(5):
        runs["baseline: empty captions task"].append(
            open_time(app, TaskContext(task(ServiceFeature.CAPTIONS, 3), None, None))
        )
        runs["2,000-cue draft (captions, restored)"].append(open_time(app, TaskContext(t2000, None, store)))
        runs["2,000-cue translation (source + target)"].append(
            open_time(app, TaskContext(task(ServiceFeature.TRANSLATION, 4), None, None, source_captions=src))
        )
        wait_for_all()
    for label, times in runs.items():
        print(line(label, times))

    print("Typing in the middle cue (keyClick + event processing, 150 keys):")
    print(line("baseline: 10-cue document", typing_times(app, store, 10, 10)))
    print(line("5,000-cue document (problems panel closed)", typing_times(app, store, 5000, 11)))
    print(line("5,000-cue document, problems panel open", typing_times(app, store, 5000, 12, problems=True)))
    repaint: list[float] = []
    print(
        line(
            "  same, every cue flagged (5,000 problems)",
            typing_times(app, store, 5000, 13, problems=True, every_cue_flagged=True, deferred=repaint),
        )
    )
    print(
        "The same keys in the GUI thread's CPU time (what a key costs, less the waiting on a loaded machine):"
    )
    names = {
        (10, False, False): "baseline: 10-cue document",
        (5000, False, False): "5,000-cue document (problems panel closed)",
        (5000, True, False): "5,000-cue document, problems panel open",
        (5000, True, True): "  same, every cue flagged (5,000 problems)",
    }
    for key, label in names.items():
        if key in CPU:
            print(line(label, CPU[key]))
    print("Deferred until typing pauses (150 ms), so not in any key above:")
    print(line("timeline repaint, 5,000 flagged cues", repaint))
    wait_for_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
