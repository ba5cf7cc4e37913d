"""Fixtures for the editor tests: a tiny test clip made once per run, a draft store, a claimed task."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reach_studio.domain.enums import ServiceFeature, ServiceType, TaskStatus, TurnAroundTime
from reach_studio.domain.task import CatalogItem, ReachProfile, Task


@pytest.fixture(scope="session")
def test_clip(tmp_path_factory) -> Path:
    """A 4-second 320x180 clip with a 440 Hz tone (about 60 kB)."""
    import imageio_ffmpeg

    out = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out


def make_task(
    feature: ServiceFeature = ServiceFeature.CAPTIONS,
    task_id: int = 101,
    source: str = "English",
    target: str | None = None,
    max_chars: int | None = 42,
    dictionary: str = "",
) -> Task:
    catalog = CatalogItem(
        id=5,
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=TurnAroundTime.FORTY_EIGHT_HOURS,
        source_language=source,
        target_language=target,
    )
    profile = ReachProfile(id=7, max_characters_per_caption_line=max_chars)
    return Task(
        id=task_id,
        partner_id=2001,
        vendor_partner_id=9001,
        entry_id="0_entry",
        status=TaskStatus.PROCESSING,
        catalog_item_id=5,
        reach_profile_id=7,
        service_feature=feature,
        catalog_item=catalog,
        reach_profile=profile,
        dictionary=dictionary,
        entry_duration_ms=60_000,
        account="test",
    )
