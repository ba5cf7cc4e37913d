"""Media fetch against the emulator: the right flavor for each flavorParamsIds case, over HLS or HTTP."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.kaltura import reach_api
from reach_studio.media.probe import probe

from .conftest import task_on_entry as _task


def _flavor_params(emulator, flavor_id: str) -> int:
    return emulator.inspect.objects("flavor_asset", id=flavor_id)[0]["flavorParamsId"]


@pytest.mark.parametrize(
    "entry_name,feature,expected_params,protocol,video",
    [
        # profile "301,302": the first listed one the entry has
        ("Lecture 1 - Introduction to kinesiology", ServiceFeature.CAPTIONS, 301, "hls", True),
        # profile "999,303,301": 999 is missing, so 303 (audio only)
        ("Campus podcast, episode 12", ServiceFeature.CAPTIONS, 303, "hls", False),
        # profile "302", entry without HLS: progressive download of that flavor
        ("Nurse training module 4 (no HLS)", ServiceFeature.TRANSLATION, 302, "http", True),
        # no flavorParamsIds: by need — dubbing needs the picture (compact video)
        ("Product launch trailer", ServiceFeature.DUBBING, 302, "hls", True),
        # no flavorParamsIds: captions are timed against the picture too (compact video)
        ("Interview with the director", ServiceFeature.CAPTIONS, 302, "hls", True),
        # profile "301,302" and no HLS
        ("Guest talk (archive, no HLS)", ServiceFeature.CAPTIONS, 301, "http", True),
    ],
)
def test_right_flavor_over_the_right_protocol(
    emulator, conn, entry_name, feature, expected_params, protocol, video
):
    task, entry = _task(emulator, conn, entry_name, feature)
    task = reach_api.claim(conn, task, "ana", settle=0)
    result = fetch_task_media(conn, task, cache=MediaCache())
    assert result.choice.flavor.flavor_params_id == expected_params
    assert _flavor_params(emulator, result.choice.flavor.id) == expected_params
    assert result.protocol == protocol
    info = probe(result.path)
    assert info.has_video == video and info.has_audio
    assert abs(info.duration_ms - entry["msDuration"]) <= 1000
    # nothing half-written next to it
    assert [
        p.name for p in result.path.parent.iterdir() if p.name.startswith(".") or p.suffix == ".part"
    ] == []
    again = fetch_task_media(conn, task, cache=MediaCache())
    assert again.protocol == "cache" and again.path == result.path


def test_profile_naming_only_flavors_not_offered_still_gets_media(emulator, conn):
    task, _ = _task(emulator, conn, "Campus podcast, episode 12", ServiceFeature.CAPTIONS)
    task.reach_profile.flavor_params_ids = [0, 999]  # the source is never offered by getPlaybackContext
    result = fetch_task_media(conn, task, cache=MediaCache())
    assert result.path.exists() and not result.choice.from_profile
    assert result.choice.flavor.flavor_params_id != 0
    assert "name no flavor Kaltura offers" in result.choice.reason


def test_entry_duration_is_read_when_the_task_lacks_it(emulator, conn):
    from reach_studio.engine.media_fetch import _entry_duration_ms

    task, entry = _task(emulator, conn, "Campus podcast, episode 12", ServiceFeature.CAPTIONS)
    task.entry_duration_ms = None
    assert _entry_duration_ms(conn, task) == entry["msDuration"]


def test_progress_is_reported_and_cancel_leaves_a_resumable_state(emulator, conn):
    from reach_studio.domain.progress import Cancelled, CancelToken

    task, entry = _task(emulator, conn, "Lecture 1 - Introduction to kinesiology", ServiceFeature.CAPTIONS)
    task = reach_api.claim(conn, task, "ana", settle=0)
    token = CancelToken()
    seen: list[tuple[int, int]] = []

    def cancel_after_first(done, total):
        seen.append((done, total))
        if done >= 1:
            token.cancel()

    cache = MediaCache()
    with pytest.raises(Cancelled):
        fetch_task_media(conn, task, cache=cache, progress=cancel_after_first, token=token)
    assert seen and not any(
        p.suffix in (".mp4", ".m4a") for p in cache.root.rglob("*") if not p.name.startswith(".")
    )
    progress: list[tuple[int, int]] = []
    result = fetch_task_media(conn, task, cache=cache, progress=lambda d, t: progress.append((d, t)))
    assert progress[-1][0] == progress[-1][1] > 0
    assert abs(probe(result.path).duration_ms - entry["msDuration"]) <= 1000


def test_source_flavor_when_asked_is_never_offered_so_the_largest_comes(emulator, conn):
    from reach_studio.domain.flavor_choice import Need

    task, entry = _task(emulator, conn, "Product launch trailer", ServiceFeature.DUBBING)
    task = reach_api.claim(conn, task, "ana", settle=0)
    result = fetch_task_media(conn, task, cache=MediaCache(), need=Need.SOURCE)
    # getPlaybackContext never lists the source flavor (docs/kaltura-contract.md, "getPlaybackContext")
    chosen = emulator.inspect.objects("flavor_asset", id=result.choice.flavor.id)[0]
    assert not chosen["isOriginal"] and result.choice.flavor.flavor_params_id == 302
    assert "no source flavor" in result.choice.reason
    info = probe(result.path)
    assert info.has_video and abs(info.duration_ms - entry["msDuration"]) <= 1000
