"""Builders every test area shares: a REACH task without a server, small generated media files.

One home for them, so a test of the editor, the voice editor and delivery all mean the same thing
by "a claimed captions task" or "a 4-second clip with a tone".
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import OutputFormat, ServiceFeature, ServiceType, TaskStatus, TurnAroundTime
from reach_studio.domain.task import CatalogItem, ReachProfile, Task


def make_task(
    feature: ServiceFeature = ServiceFeature.CAPTIONS,
    *,
    task_id: int = 101,
    source: str = "English",
    target: str | None = None,
    max_chars: int | None = 42,
    dictionary: str = "",
    notes: str = "",
    output_format: OutputFormat | None = None,
    metadata: bool = False,
    entry_id: str = "0_entry",
    flavor_params_id: int | None = None,
    clear_audio_flavor_params_id: int | None = None,
    external_task_id: str = "",
) -> Task:
    """A PROCESSING task of `feature` with its catalog item and REACH profile, as getJobs gives it."""
    catalog = CatalogItem(
        id=5,
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=TurnAroundTime.FORTY_EIGHT_HOURS,
        source_language=source,
        target_language=target,
        output_format=output_format,
        flavor_params_id=flavor_params_id,
        clear_audio_flavor_params_id=clear_audio_flavor_params_id,
    )
    profile = ReachProfile(
        id=7, max_characters_per_caption_line=max_chars, enable_metadata_extraction=metadata
    )
    return Task(
        id=task_id,
        partner_id=2001,
        vendor_partner_id=9001,
        entry_id=entry_id,
        status=TaskStatus.PROCESSING,
        catalog_item_id=5,
        reach_profile_id=7,
        service_feature=feature,
        catalog_item=catalog,
        reach_profile=profile,
        dictionary=dictionary,
        notes=notes,
        entry_duration_ms=60_000,
        account="test",
        external_task_id=external_task_id,
    )


def make_doc(n: int = 3, *, accuracy: int | None = 99, language: str = "English") -> CaptionDocument:
    """`n` short cues, 1.5 s each, 2 s apart."""
    cues = [Cue(i * 2000, i * 2000 + 1500, f"Line number {i + 1}") for i in range(n)]
    return CaptionDocument(cues=cues, language=language, accuracy=accuracy)


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; a failure fails the test that asked for the file."""
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=120,
    )


H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def make_clip(
    out: Path,
    *,
    seconds: float = 4,
    video: str = "testsrc=size=320x180:rate=25",
    audio: str | None = "sine=frequency=440:sample_rate=48000",
) -> Path:
    """An H.264 clip from lavfi sources (`video`, and `audio` unless None, in AAC), `seconds` long."""
    inputs = ["-f", "lavfi", "-i", video]
    codecs = list(H264)
    if audio is not None:
        inputs += ["-f", "lavfi", "-i", audio]
        codecs += ["-c:a", "aac", "-b:a", "64k", "-shortest"]
    ffmpeg(*inputs, "-t", str(seconds), *codecs, str(out))
    return out
