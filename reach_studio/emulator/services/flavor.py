"""flavorAsset: the entry's renditions. add / getUrl / update here; get / delete / setContent / list by the
shared asset CRUD (emulator/assets.py).

Seeded entries get their flavors from the media factory (`_path` points at the generated MP4); a vendor
adds flavors for dubbing and audio description. After setContent a flavor is QUEUED, a moment later
CONVERTING, then READY with what probing the file found (size, bitrate, dimensions, codec) — or ERROR
when the bytes are not a readable media file, which is what a client polling flavorAsset.get would see.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reach_studio.domain.enums import AssetStatus, NullableBoolean
from reach_studio.emulator.assets import AssetCrud
from reach_studio.emulator.content import check_language, ids_filter, now, run_later
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import define

register_errors(
    'FLAVOR_ASSET_ID_NOT_FOUND;ID;Flavor asset id "@ID@" not found',
    'FLAVOR_ASSET_ALREADY_EXISTS;ASSET_ID,PARAMS_ID;Flavor asset id "@ASSET_ID@" already use flavor params id '
    '"@PARAMS_ID@"',
    "FLAVOR_ASSET_IS_NOT_READY;;The flavor asset is not ready",
)

# Tags of the flavor params a vendor's flavors are added with; kBatchManager::createFlavorAsset gives a
# converted flavor its params' tags. The REACH params as deployed by
# deployment/updates/scripts/ini_files/{audio_description,dubbing}_flavor_params.flavorParams.ini; the emulator's
# catalog items use 1000 (clear audio: tags as a dubbing/multi-audio track), 1001 (dubbing), 1002 (audio description).
DUBBING_TAGS = "mobile,web,mbr,iphone,iphonenew,ipad,ipadnew,dash,audio_only,alt_audio"
AUDIO_DESCRIPTION_TAGS = "mobile,web,mbr,iphone,audio_only,alt_audio,audio_description,dash"
FLAVOR_PARAMS_TAGS = {1000: DUBBING_TAGS, 1001: DUBBING_TAGS, 1002: AUDIO_DESCRIPTION_TAGS}
AUDIO_DESCRIPTION_SUFFIX = " - Audio Description"  # kBatchManager::setAudioDescriptionLabel

CRUD = AssetCrud(
    "flavor_asset",
    "KalturaFlavorAsset",
    "flavorAsset",
    "FLAVOR_ASSET_ID_NOT_FOUND",
    "ID",
    "KalturaFlavorAssetListResponse",
)
KIND = CRUD.kind
CONVERT_DELAY_S = 0.2

define(
    "KalturaFlavorAsset",
    "KalturaAsset",
    flavorParamsId="int io",
    width="int ro",
    height="int ro",
    bitrate="int ro",
    frameRate="float ro",
    isOriginal="bool ro",
    isWeb="bool ro",
    containerFormat="str ro",
    videoCodecId="str ro",
    status="enum:KalturaFlavorAssetStatus ro",
    language="enum:KalturaLanguage",
    label="str",
    isDefault="enum:KalturaNullableBoolean",
)
define("KalturaFlavorAssetListResponse", "KalturaListResponse", objects="list:KalturaFlavorAsset ro")
define("KalturaFlavorAssetFilter", "KalturaAssetFilter", flavorParamsIdEqual="int", flavorParamsIdIn="str")


def flavor_file(store: Any, flavor: dict[str, Any]) -> Path | None:
    """Where a flavor's bytes are on disk: a generated file (`_path`) or an uploaded blob (`_blob`)."""
    if flavor.get("_path"):
        path = Path(flavor["_path"])
        return path if path.is_file() else None
    if flavor.get("_blob"):
        path = store.blob_path(flavor["_blob"])
        return path if path.is_file() else None
    return None


def flavor_has_video(flavor: dict[str, Any]) -> bool:
    if "_hasVideo" in flavor:
        return bool(flavor["_hasVideo"])
    return bool(flavor.get("width")) or bool(flavor.get("videoCodecId"))


@action("flavorasset", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, entry = CRUD.new(ctx, p, check_language)
    if asset.get("flavorParamsId") is not None:  # FlavorAssetService::addAction: one flavor per params id
        for other in ctx.store.find(KIND, entryId=entry["id"], flavorParamsId=asset["flavorParamsId"]):
            if other.get("status") != AssetStatus.DELETED:
                raise ApiError(
                    "FLAVOR_ASSET_ALREADY_EXISTS", ASSET_ID=other["id"], PARAMS_ID=asset["flavorParamsId"]
                )
    CRUD.stamp_new(ctx, asset, entry)
    asset.update(isOriginal=False, isWeb=True)
    asset.setdefault("flavorParamsId", 0)
    ctx.store.put(KIND, asset)
    if asset.get("isDefault") == NullableBoolean.TRUE_VALUE:
        CRUD.clear_other_defaults(ctx.store, entry["id"], asset["id"])
    return asset


def probe_into(path: Path) -> dict[str, Any]:
    """Kaltura's flavor fields from probing a media file; raises MediaError when it is not media."""
    from reach_studio.media.probe import probe

    info = probe(path)
    if not info.streams or not (info.has_audio or info.has_video):
        from reach_studio.media.errors import MediaError

        raise MediaError("no audio or video stream")
    video = info.first("video")
    size = path.stat().st_size
    duration_s = max(info.duration_ms / 1000.0, 0.001)
    bitrate = info.bit_rate or int(size * 8 / duration_s)
    fields: dict[str, Any] = {
        "size": (size + 1023) // 1024,  # Kaltura reports flavor size in KB
        "sizeInBytes": size,
        "bitrate": max(1, round(bitrate / 1000)),
        "width": (video.width or 0) if video else 0,
        "height": (video.height or 0) if video else 0,
        "containerFormat": "mp4" if "mp4" in info.format_name else info.format_name.split(",")[0],
        "videoCodecId": ("avc1" if video.codec == "h264" else video.codec) if video else "",
        "frameRate": 0.0,
        "_hasVideo": bool(video),
        "_hasAudio": info.has_audio,
        "_durationMs": info.duration_ms,
    }
    return fields


def _convert(emu: Any, asset_id: str) -> None:
    store = emu.store
    asset = store.get(KIND, asset_id)
    if asset is None or asset.get("status") not in (AssetStatus.QUEUED, AssetStatus.CONVERTING):
        return
    store.update(KIND, asset_id, {"status": AssetStatus.CONVERTING, "updatedAt": now()})
    path = flavor_file(store, asset)
    try:
        if path is None:
            raise OSError("content is missing")
        fields = probe_into(path)
    except Exception as exc:  # noqa: BLE001 - MediaError, OSError, av errors: not a readable media file
        CRUD.fail(emu, asset_id, str(exc)[:300])
        return
    fields.update({"status": AssetStatus.READY, "updatedAt": now()})
    params_tags = FLAVOR_PARAMS_TAGS.get(asset.get("flavorParamsId"))
    if params_tags:
        fields["tags"] = params_tags
        if "audio_description" in params_tags.split(",") and not asset.get("label"):
            fields["label"] = f"{asset.get('language') or ''}{AUDIO_DESCRIPTION_SUFFIX}"
    store.update(KIND, asset_id, fields)
    entry = store.get("entry", asset["entryId"])
    if entry is not None:
        ids = [
            str(f.get("flavorParamsId"))
            for f in store.find(KIND, entryId=entry["id"])
            if f.get("status") == AssetStatus.READY
        ]
        store.update(
            "entry", entry["id"], {"flavorParamsIds": ",".join(dict.fromkeys(ids)), "updatedAt": now()}
        )


def _finish(emu: Any, asset_id: str, blob: str) -> None:
    # QUEUED until it is converted a moment later (_convert); size (in KB) comes from the probe
    if not CRUD.store_content(emu, asset_id, blob, ready=False, _path=None, status=AssetStatus.QUEUED):
        return
    run_later(CONVERT_DELAY_S, lambda: _convert(emu, asset_id), f"convert-{asset_id}")


@action("flavorasset", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    updated, entry, changes = CRUD.update(ctx, p, check_language)
    if changes.get("isDefault") == NullableBoolean.TRUE_VALUE:
        CRUD.clear_other_defaults(ctx.store, entry["id"], updated["id"])
    return updated


def serve_flavor_url(emu: Any, flavor: dict[str, Any], ks: str) -> str:
    """Kaltura's serveFlavor download URL, with the KS as a path segment."""
    pid = flavor["partnerId"]
    ext = flavor.get("fileExt") or "mp4"
    return (
        f"{emu.url}/p/{pid}/sp/{pid}00/serveFlavor/entryId/{flavor['entryId']}/v/1/flavorId/{flavor['id']}"
        f"/ks/{quote(ks, safe='')}/name/a.{ext}"
    )


def _download_file_name(entry: dict[str, Any], asset: dict[str, Any]) -> str:
    """kAssetUtils::getFileName + kString::keepOnlyValidUrlChars: "<entry name> (<asset name>).<ext>"."""
    name = str(entry.get("name") or "")
    if asset.get("name"):
        name += f" ({asset['name']})"
    name = re.sub(r"[^A-Za-z0-9\-._~!$()*+,;=:@]", "_", name.replace("\n", " "))
    ext = asset.get("fileExt")
    return f"{name}.{ext}" if ext else name


@action("flavorasset", "getUrl")
def get_url(ctx: CallContext, p: Params) -> str:
    """FlavorAssetService::getUrlAction of a media clip: flavorAsset::getServeFlavorUrl, the delivery profile's
    serveFlavor URL with /fileName/<name> and no KS — the caller adds its KS as Kaltura's player does
    (docs/kaltura-contract.md, "Assets and cue points")."""
    asset, entry = CRUD.get(ctx, p.str("id", required=True), write=False)
    if asset.get("status") != AssetStatus.READY:
        raise ApiError("FLAVOR_ASSET_IS_NOT_READY")
    pid = asset["partnerId"]
    ext = asset.get("fileExt") or "mp4"
    version = f"/v/{asset['version']}" if asset.get("version") else ""
    file_name = quote(_download_file_name(entry, asset), safe="!$()*+,;=:@")
    return (
        f"{ctx.emu.url}/p/{pid}/sp/{pid}00/serveFlavor/entryId/{asset['entryId']}{version}/flavorId/{asset['id']}"
        f"/fileName/{file_name}/name/a.{ext}"
    )


def _by_flavor_params(assets: list[dict[str, Any]], flt: dict[str, Any]) -> list[dict[str, Any]]:
    if flt.get("flavorParamsIdEqual") is not None:
        assets = [a for a in assets if a.get("flavorParamsId") == flt["flavorParamsIdEqual"]]
    wanted = ids_filter(flt.get("flavorParamsIdIn"))
    if wanted is not None:
        assets = [a for a in assets if str(a.get("flavorParamsId")) in wanted]
    return assets


CRUD.register("flavorasset", "id", _finish, _by_flavor_params)
