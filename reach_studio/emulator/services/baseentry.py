"""baseEntry: get / update / list / getPlaybackContext — what a vendor reads about the task's entry.

getPlaybackContext answers like alpha/apps/kaltura/lib/kPlaybackContextDataHelper.php: one source per
delivery profile (`applehttp` when the entry has HLS, `url` for progressive HTTP), each with the flavors
its format picks by tags (getTagsByFormat / filterFlavorsByTags), `flavorAssets` = only the flavors among
the returned sources (filterFlavorsBySources: the source flavor, tagged `source`, never appears), and
`playbackCaptions`. Like myEntryUtils::buildManifestUrl the playManifest URLs carry no KS: the client adds
it as Kaltura's player does (docs/kaltura-contract.md, "getPlaybackContext").
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import AssetStatus, CaptionType, NullableBoolean
from reach_studio.emulator.content import reach_entry
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.languages import language_code
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import define, define_enum
from reach_studio.emulator.services.caption import serve_url
from reach_studio.emulator.services.media import list_entries, update_entry

HLS_DELIVERY_PROFILE = "1001"
HTTP_DELIVERY_PROFILE = "1002"
# kPlaybackContextDataHelper::getTagsByFormat: the first tag group any flavor has wins.
HLS_TAG_GROUPS = (("applembr",), ("ipadnew", "iphonenew", "h265", "dash"), ("ipad", "iphone"))
HTTP_TAG_GROUPS = (("widevine", "widevine_mbr"), ("mbr",), ("web",))

define(
    "KalturaAccessControlScope",
    "KalturaObjectBase",
    referrer="str",
    ip="str",
    ks="str",
    userAgent="str",
    time="int",
)
define(
    "KalturaEntryContextDataParams",
    "KalturaAccessControlScope",
    flavorAssetId="str",
    flavorTags="str",
    streamerType="str",
    mediaProtocol="str",
)
define("KalturaPlaybackContextOptions", "KalturaEntryContextDataParams")
define(
    "KalturaPlaybackSource",
    "KalturaObjectBase",
    deliveryProfileId="str",
    format="str",
    protocols="str",
    flavorIds="str",
    url="str",
)
define(
    "KalturaCaptionPlaybackPluginData",
    "KalturaObjectBase",
    label="str",
    format="str",
    language="str",
    webVttUrl="str",
    url="str",
    isDefault="bool",
    languageCode="str",
)
define("KalturaAccessControlMessage", "KalturaObjectBase", message="str", code="str")
define(
    "KalturaPlaybackContext",
    "KalturaObjectBase",
    sources="list:KalturaPlaybackSource",
    playbackCaptions="list:KalturaCaptionPlaybackPluginData",
    flavorAssets="list:KalturaFlavorAsset",
    actions="list:KalturaObjectBase",
    messages="list:KalturaAccessControlMessage",
)
define_enum("KalturaPlaybackProtocol", "str", None)


@action("baseentry", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return reach_entry(ctx, p.str("entryId", required=True), write=False)


@action("baseentry", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    return update_entry(
        ctx, p.str("entryId", required=True), p.obj("baseEntry", "KalturaBaseEntry", required=True)
    )


@action("baseentry", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    return list_entries(ctx, p, "KalturaBaseEntryListResponse")


def entry_has_hls(entry: dict[str, Any]) -> bool:
    """Entries seeded with hls=False have no HLS packaging, so clients must fall back to progressive HTTP."""
    return bool(entry.get("_hls", entry.get("hls", True)))


def ready_flavors(store: Any, entry_id: str) -> list[dict[str, Any]]:
    return [f for f in store.find("flavor_asset", entryId=entry_id) if f.get("status") == AssetStatus.READY]


def flavors_by_tags(
    flavors: list[dict[str, Any]], groups: tuple[tuple[str, ...], ...]
) -> list[dict[str, Any]]:
    """kPlaybackContextDataHelper::filterFlavorsByTags: the flavors of the first tag group any flavor has."""
    for group in groups:
        chosen = [f for f in flavors if set((f.get("tags") or "").split(",")) & set(group)]
        if chosen:
            return chosen
    return []


def hls_flavors(flavors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flavors an HLS master playlist lists, by Kaltura's tag preference; all non-source ones otherwise."""
    return (
        flavors_by_tags(flavors, HLS_TAG_GROUPS) or [f for f in flavors if not f.get("isOriginal")] or flavors
    )


def manifest_url(
    emu: Any,
    entry: dict[str, Any],
    flavor_ids: list[str],
    fmt: str,
    delivery_profile: str,
    protocol: str = "http",
    file_ext: str = "mp4",
) -> str:
    """myEntryUtils::buildManifestUrl: no KS (the client adds it, as Kaltura's player does)."""
    pid = entry["partnerId"]
    flavors = f"flavorIds/{','.join(flavor_ids)}/" if flavor_ids else ""
    tail = "applehttp/a.m3u8" if fmt == "applehttp" else f"url/name/a.{file_ext or 'mp4'}"
    return (
        f"{emu.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{entry['id']}/{flavors}deliveryProfileId/"
        f"{delivery_profile}/protocol/{protocol}/format/{tail}"
    )


@action("baseentry", "getPlaybackContext")
def get_playback_context(ctx: CallContext, p: Params) -> dict[str, Any]:
    entry = reach_entry(ctx, p.str("entryId", required=True), write=False)
    options = p.obj("contextDataParams", "KalturaEntryContextDataParams") or {}
    ks = ctx.session.ks if ctx.session else ""
    flavors = ready_flavors(ctx.store, entry["id"])
    if options.get("flavorAssetId"):
        flavors = [f for f in flavors if f["id"] == options["flavorAssetId"]]
        if not flavors:
            raise ApiError("FLAVOR_ASSET_ID_NOT_FOUND", ID=options["flavorAssetId"])
    if options.get("flavorTags"):
        wanted = {t.strip() for t in options["flavorTags"].split(",") if t.strip()}
        flavors = [f for f in flavors if wanted & set((f.get("tags") or "").split(","))]
    streamer = (options.get("streamerType") or "").lower()
    protocol = "https" if (options.get("mediaProtocol") or "").lower() == "https" else "http"
    sources: list[dict[str, Any]] = []
    profiles = []
    if streamer in ("", "applehttp") and entry_has_hls(entry):
        profiles.append(("applehttp", HLS_DELIVERY_PROFILE, HLS_TAG_GROUPS))
    if streamer in ("", "http", "url", "progressive"):
        profiles.append(("url", HTTP_DELIVERY_PROFILE, HTTP_TAG_GROUPS))
    for fmt, delivery_profile, groups in profiles:
        chosen = flavors_by_tags(flavors, groups)
        if not chosen:
            continue
        ids = [f["id"] for f in chosen]
        sources.append(
            {
                "objectType": "KalturaPlaybackSource",
                "deliveryProfileId": delivery_profile,
                "format": fmt,
                "protocols": "http,https",
                "flavorIds": ",".join(ids),
                "url": manifest_url(
                    ctx.emu, entry, ids, fmt, delivery_profile, protocol, chosen[-1].get("fileExt") or "mp4"
                ),
            }
        )
    # kPlaybackContextDataHelper::filterFlavorsBySources: only the flavors some source plays
    in_sources = {i for src in sources for i in src["flavorIds"].split(",")}
    flavors = [f for f in flavors if f["id"] in in_sources]
    captions = []
    for asset in ctx.store.find("caption_asset", entryId=entry["id"]):
        if asset.get("status") != AssetStatus.READY or asset.get("displayOnPlayer") is False:
            continue  # CaptionPlugin: a caption not shown on the player (e.g. moderated) is not listed
        url = serve_url(ctx.emu, asset, ks)
        fmt = str(asset.get("format") or "")
        vtt_url = (
            url
            if fmt == CaptionType.WEBVTT
            else (serve_url(ctx.emu, asset, ks, "serveWebVTT", "vtt") if fmt == CaptionType.SRT else None)
        )
        captions.append(
            {
                "objectType": "KalturaCaptionPlaybackPluginData",
                "label": asset.get("label") or asset.get("language"),
                "format": str(asset.get("format") or ""),
                "language": asset.get("language"),
                "webVttUrl": vtt_url,
                "url": url,
                "isDefault": asset.get("isDefault") == NullableBoolean.TRUE_VALUE,
                "languageCode": language_code(asset.get("language")),
            }
        )
    messages = []
    if not sources:
        messages.append(
            {
                "objectType": "KalturaAccessControlMessage",
                "message": "No flavors found",
                "code": "NO_FLAVORS_FOUND",
            }
        )
    return {
        "objectType": "KalturaPlaybackContext",
        "sources": sources,
        "playbackCaptions": captions,
        "flavorAssets": flavors,
        "actions": [],
        "messages": messages,
    }
