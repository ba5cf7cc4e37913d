"""workers/background.py: callbacks on the GUI thread, and the inline switch tests use."""

from __future__ import annotations

import threading

from reach_studio.domain.progress import Cancelled
from reach_studio.workers.background import inline_jobs, run_in_background


def test_a_job_runs_off_the_gui_thread_and_reports_back_on_it(qtbot):
    seen: dict[str, object] = {}

    def work(token, progress):
        seen["worker"] = threading.current_thread()
        progress(1, 2)
        return 42

    run_in_background(work, on_done=lambda r: seen.setdefault("result", r))
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42 and seen["worker"] is not threading.main_thread()


def test_inline_jobs_run_at_once_on_the_calling_thread_with_the_same_callbacks(qtbot):
    events: list[object] = []

    def work(token, progress):
        events.append(threading.current_thread() is threading.main_thread())
        progress(1, 3)
        return "done"

    def fails(token, progress):
        raise OSError("disk full")

    def cancelled(token, progress):
        raise Cancelled()

    with inline_jobs():
        run_in_background(work, on_done=events.append, on_progress=lambda d, t: events.append((d, t)))
        run_in_background(fails, on_error=lambda exc: events.append(str(exc)))
        run_in_background(cancelled, on_cancelled=lambda: events.append("cancelled"))
        assert events == [True, (1, 3), "done", "disk full", "cancelled"]  # before any event loop ran
    late: list[object] = []
    run_in_background(work, on_done=late.append)
    assert late == []  # outside the switch a job goes to the pool again
    qtbot.waitUntil(lambda: late == ["done"])
    assert events[-1] is False  # and ran on a pool thread
