"""engine/desktop_ops.EngineOps without Qt: the live half is a collaborator (live/ sits above engine/)."""

import pytest

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.engine.desktop_ops import EngineOps, LiveUnavailable, linguist_id


def _task(task_id: int) -> Task:
    return Task(task_id, 101, 99, "0_entry", TaskStatus.PENDING, 1, 1)


class _Poller:
    conn = object()
    task_filter = object()


def test_a_desktop_without_live_scheduling_lists_no_scheduled_tasks_and_says_why_it_cannot_schedule():
    ops = EngineOps()
    assert ops.scheduled(_Poller()) == []
    with pytest.raises(LiveUnavailable, match="without live scheduling"):
        ops.schedule_live(object(), _task(7))
    ops.stop_caption_server()  # nothing started, nothing to stop: no error


def test_live_tasks_are_scheduled_under_this_linguists_name():
    calls = []

    class FakeLive:
        def schedule(self, conn, task, owner, on_change=None, *, adopt=False):
            calls.append((task.id, owner, adopt))
            return "session"

        def scheduled(self, conn, task_filter):
            return []

    ops = EngineOps(live=FakeLive())
    assert ops.schedule_live(object(), _task(7), adopt=True) == "session"
    assert calls == [(7, linguist_id(), True)]
    assert linguist_id().startswith("reachstudio-")
