"""Which flavor (rendition) of an entry to download for a task.

When the customer's REACH profile lists `flavorParamsIds`, take the first id in *that* order which is
offered (the vendor guide: 1,3,5 vs assets 2,4,5 → 5). "Offered" means listed in getPlaybackContext's
`flavorAssets`, which Kaltura limits to the flavors its sources play, chosen by tags — the source flavor
never appears (docs/kaltura-contract.md, "getPlaybackContext"). So a profile may name only flavors that
are not offered; the task must still get media: then we choose among the offered flavors by what the
linguist needs, and say so. By need: a compact video wherever a person works against the picture
(captions and translations are timed to shot changes and on-screen text, descriptions and chapters
describe it), audio-only only for work that needs no picture (aligning a given transcript), and the
source only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task

READY = 2
COMPACT_HEIGHT = 360  # smallest picture a describer can work from comfortably


class Need(Enum):
    AUDIO = "audio"
    VIDEO = "video"
    SOURCE = "source"


class NoSuitableFlavor(Exception):
    """The entry offers no ready flavor at all (the message says why)."""


@dataclass(frozen=True)
class FlavorInfo:
    id: str
    flavor_params_id: int
    width: int = 0
    height: int = 0
    bitrate: int = 0  # kbps
    is_original: bool = False
    status: int | None = READY
    tags: str = ""
    container_format: str = ""
    video_codec_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def audio_only(self) -> bool:
        if "audio_only" in self.tags or "audioonly" in self.tags:
            return True
        return not self.width and not self.height and not self.video_codec_id

    @property
    def ready(self) -> bool:
        return self.status is None or self.status == READY

    @classmethod
    def from_fields(cls, d: dict[str, Any]) -> FlavorInfo:
        """From a KalturaFlavorAsset as a plain dict (see domain.task_mapping.plain)."""

        def num(key: str) -> int:
            try:
                return int(d.get(key) or 0)
            except (TypeError, ValueError):
                return 0

        return cls(
            id=str(d.get("id") or ""),
            flavor_params_id=num("flavorParamsId"),
            width=num("width"),
            height=num("height"),
            bitrate=num("bitrate"),
            is_original=bool(d.get("isOriginal")) and d.get("isOriginal") not in ("0", "false"),
            status=None if d.get("status") in (None, "") else num("status"),
            tags=str(d.get("tags") or ""),
            container_format=str(d.get("containerFormat") or ""),
            video_codec_id=str(d.get("videoCodecId") or ""),
        )


@dataclass(frozen=True)
class FlavorChoice:
    flavor: FlavorInfo
    reason: str
    need: Need
    from_profile: bool


# Work that needs only the sound. Everything else needs the picture: a captioner times cues to shot
# changes and keeps captions off on-screen text, which an audio-only flavor hides (black video).
_AUDIO_ONLY_FEATURES = {ServiceFeature.ALIGNMENT}


def need_for(task: Task, prefer_source: bool = False) -> Need:
    """What the person working on this task needs to see or hear."""
    if prefer_source:
        return Need.SOURCE
    return Need.AUDIO if task.feature in _AUDIO_ONLY_FEATURES else Need.VIDEO


def choose_flavor(flavors: list[FlavorInfo], profile_ids: list[int] | None, need: Need) -> FlavorChoice:
    """Pick the flavor to download: the profile's order first, else by need among what is offered.
    Raises NoSuitableFlavor only when no flavor is offered at all."""
    ready = [f for f in flavors if f.ready and f.id]
    if profile_ids:
        from_profile = choose_from_profile(ready, profile_ids, need)
        if from_profile is not None:
            return from_profile
        if ready:
            fallback = _choose_by_need(ready, need)
            order = ",".join(str(i) for i in profile_ids)
            offered = ",".join(str(f.flavor_params_id) for f in ready)
            return FlavorChoice(
                fallback.flavor,
                f"the customer's flavorParamsIds ({order}) name no flavor Kaltura offers for this entry "
                f"(offered: {offered}); using flavor params {fallback.flavor.flavor_params_id} instead: "
                f"{fallback.reason}",
                need,
                False,
            )
    return _choose_by_need(ready, need)


def choose_from_profile(flavors: list[FlavorInfo], profile_ids: list[int], need: Need) -> FlavorChoice | None:
    """The first of the profile's flavorParamsIds, in its order, that is among `flavors` (ready ones)."""
    ready = [f for f in flavors if f.ready and f.id]
    order = ",".join(str(i) for i in profile_ids)
    for position, wanted in enumerate(profile_ids):
        for flavor in ready:
            if flavor.flavor_params_id == wanted:
                skipped = profile_ids[:position]
                why = f"; {','.join(map(str, skipped))} not offered" if skipped else ""
                return FlavorChoice(
                    flavor,
                    f"first of the customer's flavorParamsIds ({order}) the entry offers: {wanted}{why}",
                    need,
                    True,
                )
    return None


def _choose_by_need(ready: list[FlavorInfo], need: Need) -> FlavorChoice:
    if not ready:
        raise NoSuitableFlavor("The entry has no ready flavor to download")
    audio = [f for f in ready if f.audio_only]
    video = [f for f in ready if not f.audio_only]
    if need is Need.SOURCE:
        original = [f for f in ready if f.is_original]
        if original:
            return FlavorChoice(original[0], "source flavor, as asked", need, False)
        best = max(video or ready, key=lambda f: (f.height, f.bitrate))
        return FlavorChoice(best, "no source flavor; the largest one instead", need, False)
    if need is Need.AUDIO:
        if audio:
            best = max(audio, key=lambda f: (not f.is_original, f.bitrate, f.flavor_params_id))
            return FlavorChoice(best, "audio-only flavor: the work needs only the sound", need, False)
        small = min(video, key=lambda f: (f.is_original, f.height, f.bitrate))
        return FlavorChoice(small, "no audio-only flavor; the smallest video flavor", need, False)
    # Need.VIDEO: a compact picture (at least COMPACT_HEIGHT if available), not the heavy source.
    if not video:
        return FlavorChoice(
            max(audio, key=lambda f: f.bitrate), "the entry has no video; audio only", need, False
        )
    big_enough = [f for f in video if f.height >= COMPACT_HEIGHT and not f.is_original]
    if big_enough:
        best = min(big_enough, key=lambda f: (f.height, f.bitrate))
        return FlavorChoice(
            best, f"compact video ({best.width}x{best.height}) for watching the picture", need, False
        )
    non_source = [f for f in video if not f.is_original]
    if non_source:
        best = max(non_source, key=lambda f: (f.height, f.bitrate))
        return FlavorChoice(best, f"largest compact video ({best.width}x{best.height})", need, False)
    return FlavorChoice(video[0], "only the source has video", need, False)
