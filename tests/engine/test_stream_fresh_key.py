"""Issue 15, "Start at once": a stream and a download started with a task's key go on when that key expires
midway — with the key the key keeper got meanwhile, else a fresh one — resuming from the segments on disk,
and the player is offered the stream again with the new key."""

from __future__ import annotations

from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.media.probe import probe

from .test_stream_while_downloading import _claimed

LECTURE = "Lecture 1 - Introduction to kinesiology"  # 20 s: 5 HLS segments of 4 s


def test_a_key_that_expires_mid_download_is_renewed_and_the_download_and_stream_go_on(emulator, conn):
    task, entry = _claimed(emulator, conn, LECTURE)
    old = task.access_key
    emulator.faults.configure(segment_latency_ms=300)  # one segment at a time: the key dies after the first
    streams, segments = [], []

    def segment(seg) -> None:
        segments.append(seg.index)
        if len(segments) == 1:
            emulator.faults.expire_all_ks()  # every key issued so far is refused from now on

    result = fetch_task_media(
        conn, task, cache=MediaCache(), workers=1, on_stream=streams.append, on_segment=segment
    )
    assert result.protocol == "hls", "the HLS download went on: not restarted as a progressive download"
    assert abs(probe(result.path).duration_ms - entry["msDuration"]) < 1000
    assert task.access_key != old, "a fresh key was got (extendAccessKey)"
    assert emulator.inspect.calls().get("reach_entryvendortask.extendAccessKey", 0) >= 1
    # the player was offered the stream again, with the new key in place of the old
    assert len(streams) == 2
    assert old in streams[0].url and old not in streams[1].url and task.access_key in streams[1].url
    assert streams[1].url == streams[0].with_key(task.access_key).url
    assert old not in repr(streams[1]) and task.access_key not in repr(streams[1])


def test_a_key_the_keeper_extended_meanwhile_is_used_without_asking_again(emulator, conn):
    from reach_studio.kaltura import reach_api

    task, _ = _claimed(emulator, conn, LECTURE)
    old = task.access_key
    emulator.faults.configure(segment_latency_ms=300)
    streams, segments, extended = [], [], []

    def extensions() -> int:
        return emulator.inspect.calls().get("reach_entryvendortask.extendAccessKey", 0)

    def segment(seg) -> None:
        segments.append(seg.index)
        if len(segments) == 1:  # the keeper extends the key after the old one expired
            emulator.faults.expire_all_ks()
            reach_api.extend_access_key(conn, task)
            extended.append((task.access_key, extensions()))

    result = fetch_task_media(
        conn, task, cache=MediaCache(), workers=1, on_stream=streams.append, on_segment=segment
    )
    assert result.protocol == "hls"
    assert [(task.access_key, extensions())] == extended, "the keeper's key, not one more"
    assert old != task.access_key and task.access_key in streams[-1].url
