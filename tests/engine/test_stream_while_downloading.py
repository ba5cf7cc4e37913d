"""Issue 15, "Start at once": the engine offers a playable stream before the download and draws the
waveform from the segments as they land, against the emulator with slow segments."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.kaltura import reach_api
from reach_studio.key_scope import safe_transport

from .test_media_fetch_e2e import _task


def _claimed(emulator, conn, name="Campus podcast, episode 12"):
    task, entry = _task(emulator, conn, name, ServiceFeature.CAPTIONS)
    return reach_api.claim(conn, task, "ana", settle=0), entry


def test_the_stream_is_offered_before_any_segment_and_the_waveform_fills_as_segments_land(emulator, conn):
    task, entry = _claimed(emulator, conn)
    emulator.faults.configure(segment_latency_ms=600)  # 5 segments of 4 s, one at a time: 3 s in all
    events: list[tuple[str, object]] = []
    lock = threading.Lock()

    def note(kind):
        def add(value):
            with lock:
                events.append((kind, value))

        return add

    result = fetch_task_media(
        conn,
        task,
        cache=MediaCache(),
        workers=1,
        on_stream=note("stream"),
        on_segment=note("segment"),
        on_waveform=note("wave"),
    )
    kinds = [k for k, _ in events]
    assert kinds[0] == "stream", "the player gets its URL before the first segment arrives"
    source = events[0][1]
    assert source.protocol == "hls" and source.choice.flavor.id == result.choice.flavor.id
    assert f"/flavorIds/{result.choice.flavor.id}/" in source.url
    assert task.access_key in source.url  # the emulator's host is the service host: in scope
    assert task.access_key not in repr(source)
    assert safe_transport(source.url)  # loopback
    last_segment = max(i for i, (k, _) in enumerate(events) if k == "segment")
    early = [w for i, (k, w) in enumerate(events) if k == "wave" and i < last_segment]
    assert early, "the waveform is handed over while the audio still arrives"
    waves = [w for k, w in events if k == "wave"]
    covered = [sum(e - s for s, e in w.arrived) for w in waves]
    assert covered == sorted(covered) and covered[0] < covered[-1]
    assert covered[0] < entry["msDuration"] * 0.9, "the first waveform came before all the audio"
    # the peaks are real audio where it arrived
    last = waves[-1]
    start, end = last.arrived[0]
    _mins, maxs = last.peaks_between(start, end, 200)
    assert float(np.max(maxs)) > 0.01
    assert result.path.exists()


def test_a_cached_file_offers_no_stream(emulator, conn):
    task, _ = _claimed(emulator, conn)
    fetch_task_media(conn, task, cache=MediaCache())
    streams = []
    again = fetch_task_media(conn, task, cache=MediaCache(), on_stream=streams.append)
    assert again.protocol == "cache" and streams == []


def test_cancel_during_the_download_stops_it_and_the_waveform_worker(emulator, conn):
    task, _ = _claimed(emulator, conn)
    emulator.faults.configure(segment_latency_ms=300)
    token = CancelToken()
    waves = []

    def segment(seg):
        token.cancel()  # the linguist presses Cancel once audio is arriving

    with pytest.raises(Cancelled):
        fetch_task_media(
            conn,
            task,
            cache=MediaCache(),
            token=token,
            workers=2,
            on_segment=segment,
            on_waveform=waves.append,
        )
    workers = [t for t in threading.enumerate() if t.name == "streaming-peaks"]
    for worker in workers:
        worker.join(10)
    assert not any(w.is_alive() for w in workers), "the waveform worker stops with the download"
    assert not any(MediaCache().task_dir(task).glob("*.m4a")), "no media file from a cancelled download"


@pytest.mark.parametrize(
    "url,safe",
    [
        ("https://cdn.example.com/a.m3u8", True),
        ("http://127.0.0.1:5000/a.m3u8", True),
        ("http://[::1]:5000/a.m3u8", True),
        ("http://localhost/a.m3u8", True),
        ("http://cdn.example.com/a.m3u8", False),
        ("file:///etc/passwd", False),
    ],
)
def test_a_key_travels_only_encrypted_or_to_this_machine(url, safe):
    assert safe_transport(url) is safe
