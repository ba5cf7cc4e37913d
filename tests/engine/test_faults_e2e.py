"""With 20 % injected 5xx and 200 ms latency, polling and downloads still complete, nothing half-written."""

from __future__ import annotations

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.engine.poller import Poller, TaskFilter
from reach_studio.kaltura import reach_api
from reach_studio.media.probe import probe

from .conftest import connect


def _no_leftovers(root):
    return [p for p in root.rglob("*") if p.name.startswith(".") or p.suffix in (".part", ".tmp")]


def test_polling_and_downloads_survive_errors_and_latency(emulator):
    conn = connect(emulator)
    conn.vendor_client()  # sign in before the faults start
    expected = {t["id"] for t in emulator.inspect.objects("task", status=TaskStatus.PENDING)}
    emulator.faults.configure(error_rate=0.2, latency_ms=200, seed=7)
    try:
        poller = Poller(conn, task_filter=TaskFilter(service_types=None))
        assert poller.run_once(), poller.last_error
        assert {t.id for t in poller.tasks} | set(poller.rejected) == expected
        assert all(t.reach_profile is not None for t in poller.tasks)  # every detail call got through

        cache = MediaCache()
        by_entry = {e["id"]: e for e in emulator.inspect.objects("entry")}
        fetched = {}
        for name, feature in (
            ("Lecture 1 - Introduction to kinesiology", ServiceFeature.CAPTIONS),
            ("Guest talk (archive, no HLS)", ServiceFeature.CAPTIONS),
        ):
            task = next(
                t for t in poller.tasks if by_entry[t.entry_id]["name"] == name and t.feature == feature
            )
            task = reach_api.claim(conn, task, "ana", settle=0)
            result = fetch_task_media(conn, task, cache=cache)
            fetched[result.protocol] = result
            assert abs(probe(result.path).duration_ms - by_entry[task.entry_id]["msDuration"]) <= 1000
            assert emulator.inspect.task(task.id)["status"] == 3
        assert set(fetched) == {"hls", "http"}
        assert conn.transient_failures > 0  # the faults did hit API calls, and were absorbed
        assert _no_leftovers(cache.root) == []
    finally:
        emulator.faults.reset()
