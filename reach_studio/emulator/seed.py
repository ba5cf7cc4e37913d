"""Demo seed: the partners, vendor app token, catalog, REACH profiles, entries and tasks the emulator starts with.

It gives the app and the tests a realistic vendor queue: three customers (one orders much more than the
others), one vendor ("Acme Captioning") with an app token, catalog items of every feature the vendor guide
describes, REACH profiles that cover the guide's flags, short generated media (some audio-only, some
without HLS), and at least one PENDING task per feature, with expected finish times spread out.
Ids come from the store's counters in a fixed order, so they never depend on the clock; only
times (createdAt, expectedFinishTime, live event dates) are relative to now.
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reach_studio import resource_files
from reach_studio.domain.enums import (
    AppTokenStatus,
    AssetStatus,
    CaptionAssetUsage,
    CaptionType,
    ContentDeletionPolicy,
    EntrySourceType,
    EntryStatus,
    EntryType,
    MediaType,
    NullableBoolean,
    OutputFormat,
    ProcessingRegion,
    ReachProfileStatus,
    ReachProfileType,
    ScheduleEventStatus,
    ServiceFeature,
    ServiceType,
    TaskStatus,
    VendorCatalogItemStatus,
)

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator

VENDOR_PARTNER_ID = 4200
VENDOR_NAME = "Acme Captioning"
CUSTOMERS = [(101, "Northwind University"), (102, "Contoso Media"), (103, "Globex Health")]
HOUR = 3600
DAY = 86400
# Kaltura's server knows business days 1..7 only (VendorServiceTurnAroundTime); the client's TEN_BUSINESS_DAYS (10)
# would be taken as 10 seconds, so long items use TEN_DAYS (seconds) as a real catalog would.
TEN_DAYS = 864000

# Catalog item feature/type values (docs/kaltura-contract.md#enums)
CAPTIONS, TRANSLATION, AUDIO_DESCRIPTION, CHAPTERING, DUBBING, LIVE_CAPTION, EXTENDED_AD, SIGN_LANGUAGE = (
    ServiceFeature.CAPTIONS,
    ServiceFeature.TRANSLATION,
    ServiceFeature.AUDIO_DESCRIPTION,
    ServiceFeature.CHAPTERING,
    ServiceFeature.DUBBING,
    ServiceFeature.LIVE_CAPTION,
    ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
    ServiceFeature.SIGN_LANGUAGE,
)
HUMAN, MACHINE = ServiceType.HUMAN, ServiceType.MACHINE

# The demo's caption texts (a professional lecture caption, a rough machine caption) are files in
# resources/demo/, packaged with the wheel and the frozen app.
SAMPLE_SRT = resource_files.read_text("demo/lecture-en.srt")
ROUGH_SRT = resource_files.read_text("demo/launch-trailer-en-auto.srt")


class SeedError(Exception):
    """The seed could not be built (unknown seed name, media generation failed)."""


# ---- partners and app token ---------------------------------------------------------------------------
def add_partner(emu: Emulator, partner_id: int, name: str, *, is_vendor: bool = False) -> dict[str, Any]:
    partner = {
        "id": partner_id,
        "name": name,
        "isVendor": is_vendor,
        "adminSecret": secrets.token_hex(16),
        "secret": secrets.token_hex(16),
    }
    return emu.store.put("partner", partner)


def add_app_token(
    emu: Emulator,
    partner_id: int,
    *,
    hash_type: str = "SHA256",
    session_type: int = 2,
    privileges: str = "disableentitlement",
    duration: int = DAY,
) -> dict[str, Any]:
    token = {
        "objectType": "KalturaAppToken",
        "id": emu.store.next_id("app_token"),
        "token": secrets.token_hex(16),
        "partnerId": partner_id,
        "createdAt": int(time.time()),
        "updatedAt": int(time.time()),
        "status": AppTokenStatus.ACTIVE,
        "expiry": None,
        "sessionType": session_type,
        "sessionUserId": "",
        "sessionDuration": duration,
        "sessionPrivileges": privileges,
        "hashType": hash_type,
        "description": "REACH vendor integration",
    }
    return emu.store.put("app_token", token)


# ---- catalog and profiles -----------------------------------------------------------------------------
def add_catalog_item(
    emu: Emulator, object_type: str, name: str, feature: int, service_type: int, tat: int, **extra: Any
) -> dict[str, Any]:
    now = int(time.time())
    item = {
        "objectType": object_type,
        "id": emu.store.next_id("catalog_item"),
        "vendorPartnerId": VENDOR_PARTNER_ID,
        "name": name,
        "systemName": name.lower().replace(" ", "_").replace("→", "to"),
        "createdAt": now,
        "updatedAt": now,
        "status": VendorCatalogItemStatus.ACTIVE,
        "serviceType": service_type,
        "serviceFeature": feature,
        "turnAroundTime": tat,
        "pricing": {
            "objectType": "KalturaVendorCatalogItemPricing",
            "pricePerUnit": 1.5,
            "priceFunction": "kReachUtils::calcPricePerMinute",
        },
        "sourceLanguage": "English",
        "allowResubmission": False,
        "payPerUse": False,
        "stage": 1,
        "partnerId": 0,
        **extra,
    }
    return emu.store.put("catalog_item", item)


def add_reach_profile(emu: Emulator, partner_id: int, name: str, **fields: Any) -> dict[str, Any]:
    now = int(time.time())
    profile = {
        "objectType": "KalturaReachProfile",
        "id": emu.store.next_id("reach_profile"),
        "name": name,
        "partnerId": partner_id,
        "createdAt": now,
        "updatedAt": now,
        "status": ReachProfileStatus.ACTIVE,
        "profileType": ReachProfileType.PAID,
        "defaultOutputFormat": OutputFormat.SRT,
        "enableMachineModeration": 0,
        "enableHumanModeration": 0,
        "enableHybridModeration": 0,
        "autoDisplayMachineCaptionsOnPlayer": 1,
        "autoDisplayHumanCaptionsOnPlayer": 1,
        "autoDisplayHybridCaptionsOnPlayer": 1,
        "enableMetadataExtraction": 0,
        "enableSpeakerChangeIndication": 0,
        "enableAudioTags": 0,
        "enableProfanityRemoval": 0,
        "maxCharactersPerCaptionLine": 32,
        "labelAdditionForMachineServiceType": "(auto)",
        "labelAdditionForHumanServiceType": "",
        "contentDeletionPolicy": ContentDeletionPolicy.DO_NOTHING,
        "usedCredit": 0.0,
        "dictionaries": [],
        "flavorParamsIds": None,
        "vendorTaskProcessingRegion": ProcessingRegion.US,
        "allowedCatalogItemIds": None,
        **fields,
    }
    return emu.store.put("reach_profile", profile)


def dictionary(language: str, *terms: str) -> dict[str, Any]:
    return {"objectType": "KalturaDictionary", "language": language, "data": "\n".join(terms)}


# ---- entries and assets -------------------------------------------------------------------------------
def _media(emu: Emulator, duration_s: float, video: bool, variant: str):
    from reach_studio.emulator.media_factory import build_entry_media
    from reach_studio.media.errors import MediaError

    try:
        return build_entry_media(Path(emu.media_cache), duration_s, video=video, variant=variant)
    except (MediaError, OSError) as exc:
        raise SeedError(
            f"could not generate demo media ({'video' if video else 'audio'}, {duration_s:g} s): {exc}"
        ) from None


def add_entry(
    emu: Emulator,
    partner_id: int,
    name: str,
    *,
    duration_s: float = 20.0,
    video: bool = True,
    variant: str = "default",
    hls: bool = True,
    created_at: int | None = None,
    description: str = "",
    tags: str = "",
) -> dict[str, Any]:
    """A READY media entry with generated flavors (source, 301/302 video, 303 audio) as flavor assets."""
    media = _media(emu, duration_s, video, variant)
    store = emu.store
    now = int(time.time()) if created_at is None else created_at
    entry = {
        "objectType": "KalturaMediaEntry",
        "id": store.next_id("entry"),
        "name": name,
        "description": description,
        "partnerId": partner_id,
        "userId": "customer-admin",
        "creatorId": "customer-admin",
        "tags": tags,
        "adminTags": "",
        "categories": "",
        "status": EntryStatus.READY,
        "type": EntryType.MEDIA_CLIP,
        "mediaType": MediaType.VIDEO if video else MediaType.AUDIO,
        "sourceType": EntrySourceType.FILE,
        "createdAt": now,
        "updatedAt": now,
        "duration": round(media.duration_ms / 1000),
        "msDuration": media.duration_ms,
        "flavorParamsIds": ",".join(str(f.flavor_params_id) for f in media.flavors),
        "plays": 0,
        "views": 0,
        "referenceId": None,
        "parentEntryId": None,
        "_hls": hls,
    }
    store.put("entry", entry)
    for flavor in media.flavors:
        store.put(
            "flavor_asset",
            {
                "objectType": "KalturaFlavorAsset",
                "id": store.next_id("flavor_asset"),
                "entryId": entry["id"],
                "partnerId": partner_id,
                "version": 1,
                "size": max(1, flavor.size // 1024),
                "sizeInBytes": flavor.size,
                "tags": flavor.tags,
                "fileExt": flavor.file_ext,
                "createdAt": now,
                "updatedAt": now,
                "flavorParamsId": flavor.flavor_params_id,
                "width": flavor.width,
                "height": flavor.height,
                "bitrate": flavor.bitrate_kbps,
                "frameRate": 25.0 if flavor.has_video else 0.0,
                "isOriginal": flavor.is_original,
                "isWeb": "web" in flavor.tags.split(","),
                "containerFormat": flavor.container_format,
                "videoCodecId": flavor.video_codec_id,
                "status": AssetStatus.READY,
                "language": "Undefined",
                "label": None,
                "isDefault": NullableBoolean.TRUE_VALUE
                if flavor.flavor_params_id == 0
                else NullableBoolean.FALSE_VALUE,
                "_path": str(flavor.path),
                "_hasVideo": flavor.has_video,
                "_hasAudio": flavor.has_audio,
            },
        )
    return entry


def add_live_entry(emu: Emulator, partner_id: int, name: str, created_at: int) -> dict[str, Any]:
    entry = {
        "objectType": "KalturaLiveStreamEntry",
        "id": emu.store.next_id("entry"),
        "name": name,
        "description": "Scheduled live session",
        "partnerId": partner_id,
        "userId": "customer-admin",
        "creatorId": "customer-admin",
        "tags": "",
        "adminTags": "",
        "categories": "",
        "status": EntryStatus.READY,
        "type": EntryType.LIVE_STREAM,
        "mediaType": MediaType.LIVE_STREAM_FLASH,
        "createdAt": created_at,
        "updatedAt": created_at,
        "duration": 0,
        "msDuration": 0,
        "_hls": False,
    }
    return emu.store.put("entry", entry)


def add_caption_asset(
    emu: Emulator,
    entry: dict[str, Any],
    text: str,
    *,
    accuracy: int,
    language: str = "English",
    label: str = "English",
    created_at: int | None = None,
) -> dict[str, Any]:
    now = int(time.time()) if created_at is None else created_at
    data = text.encode("utf-8")
    asset = {
        "objectType": "KalturaCaptionAsset",
        "id": emu.store.next_id("caption_asset"),
        "entryId": entry["id"],
        "partnerId": entry["partnerId"],
        "version": 1,
        "size": len(data),
        "sizeInBytes": len(data),
        "tags": "",
        "fileExt": "srt",
        "createdAt": now,
        "updatedAt": now,
        "captionParamsId": 0,
        "language": language,
        "languageCode": "en" if language == "English" else None,
        "isDefault": NullableBoolean.TRUE_VALUE,
        "label": label,
        "format": CaptionType.SRT,
        "source": None,
        "status": AssetStatus.READY,
        "accuracy": accuracy,
        "displayOnPlayer": True,
        "usage": CaptionAssetUsage.CAPTION,
        "_blob": emu.store.put_blob(data, ".srt"),
    }
    return emu.store.put("caption_asset", asset)


def add_live_schedule_event(emu: Emulator, entry: dict[str, Any], start: int, end: int) -> dict[str, Any]:
    event = {
        "objectType": "KalturaLiveStreamScheduleEvent",
        "id": emu.store.next_id("schedule_event"),
        "partnerId": entry["partnerId"],
        "summary": entry["name"],
        "description": "Town hall with live captions",
        "status": ScheduleEventStatus.ACTIVE,
        "startDate": start,
        "endDate": end,
        "createdAt": start - 7 * DAY,
        "updatedAt": start - 7 * DAY,
        "sourceEntryId": entry["id"],
        "templateEntryId": entry["id"],
        "entryIds": entry["id"],
        "preStartTime": 300,
        "postEndTime": 300,
        "liveFeatures": [],
    }
    return emu.store.put("schedule_event", event)


def add_live_feature(emu: Emulator, event: dict[str, Any], task: dict[str, Any], **filled: Any) -> None:
    """The feature Kaltura adds to the event when a live REACH task is ordered (EntryVendorTask::addSchedulingData)."""
    job = task["taskJobData"]
    feature = {
        "objectType": "KalturaLiveCaptionFeature",
        "systemName": f"LiveCaptionFeature-reach-{task['id']}",
        "preStartTime": max(0, event["startDate"] - job["startDate"]),
        "postEndTime": max(0, job["endDate"] - event["endDate"]),
        "mediaUrl": None,
        "mediaKey": None,
        "captionUrl": None,
        "captionToken": None,
        "inputDelay": None,
        "captionFormat": None,
        "language": "eng",
        **filled,
    }
    features = list(event.get("liveFeatures") or []) + [feature]
    emu.store.update("schedule_event", event["id"], {"liveFeatures": features})


# ---- the demo -------------------------------------------------------------------------------------------
def apply(emu: Emulator, name: str) -> None:
    """Fill an empty store with the named seed: "demo" (everything) or "minimal" (partners and app token)."""
    if name not in ("demo", "minimal"):
        raise SeedError(f"unknown seed {name!r} (known: demo, minimal)")
    store = emu.store
    store.set_counter_floor("task", 1000)
    store.set_counter_floor("reach_profile", 200)
    store.set_counter_floor("schedule_event", 7000)
    add_partner(emu, VENDOR_PARTNER_ID, VENDOR_NAME, is_vendor=True)
    add_app_token(emu, VENDOR_PARTNER_ID)
    for partner_id, partner_name in CUSTOMERS:
        add_partner(emu, partner_id, partner_name)
    if name == "demo":
        _demo(emu)


def _demo(emu: Emulator) -> None:
    from reach_studio.emulator.services.reach import create_task

    now = int(time.time())
    # catalog ---------------------------------------------------------------------------------------
    cap_human = add_catalog_item(
        emu,
        "KalturaVendorCaptionsCatalogItem",
        "English captions (professional)",
        CAPTIONS,
        HUMAN,
        2,
        outputFormat=1,
        enableSpeakerId=1,
        fixedPriceAddons=0,
    )
    cap_machine = add_catalog_item(
        emu,
        "KalturaVendorCaptionsCatalogItem",
        "English captions (machine)",
        CAPTIONS,
        MACHINE,
        1800,
        outputFormat=3,
        enableSpeakerId=0,
    )
    cap_human_es = add_catalog_item(
        emu,
        "KalturaVendorCaptionsCatalogItem",
        "Spanish captions (professional)",
        CAPTIONS,
        HUMAN,
        432000,
        outputFormat=2,
        enableSpeakerId=1,
        sourceLanguage="Spanish",
    )
    tr_source = add_catalog_item(
        emu,
        "KalturaVendorTranslationCatalogItem",
        "English to French translation",
        TRANSLATION,
        HUMAN,
        5,
        outputFormat=1,
        targetLanguage="French",
        requireSource=True,
    )
    tr_audio = add_catalog_item(
        emu,
        "KalturaVendorTranslationCatalogItem",
        "English to German translation (from audio)",
        TRANSLATION,
        MACHINE,
        7200,
        outputFormat=1,
        targetLanguage="German",
        requireSource=False,
    )
    dubbing = add_catalog_item(
        emu,
        "KalturaVendorDubbingCatalogItem",
        "English to Spanish dubbing",
        DUBBING,
        HUMAN,
        TEN_DAYS,
        flavorParamsId=1001,
        clearAudioFlavorParamsId=1000,
        targetLanguage="Spanish",
    )
    audio_desc = add_catalog_item(
        emu,
        "KalturaVendorAudioDescriptionCatalogItem",
        "English audio description",
        AUDIO_DESCRIPTION,
        HUMAN,
        5,
        flavorParamsId=1002,
        clearAudioFlavorParamsId=1000,
    )
    ext_audio_desc = add_catalog_item(
        emu,
        "KalturaVendorExtendedAudioDescriptionCatalogItem",
        "English extended audio description",
        EXTENDED_AD,
        HUMAN,
        7,
        flavorParamsId=1002,
        clearAudioFlavorParamsId=1000,
        outputFormat=1,
    )
    chaptering = add_catalog_item(
        emu, "KalturaVendorChapteringCatalogItem", "English chaptering", CHAPTERING, HUMAN, 86400
    )
    live = add_catalog_item(
        emu,
        "KalturaVendorLiveCaptionCatalogItem",
        "English live captions (CART)",
        LIVE_CAPTION,
        HUMAN,
        -1,
        outputFormat=1,
        minimalRefundTime=2 * DAY,
        minimalOrderTime=DAY,
        durationLimit=4 * HOUR,
        startTimeBuffer=900,
        endTimeBuffer=900,
    )
    sign = add_catalog_item(
        emu,
        "KalturaVendorSignLanguageCatalogItem",
        "ASL interpretation",
        SIGN_LANGUAGE,
        HUMAN,
        TEN_DAYS,
        targetLanguage="English (ASL)",
    )

    # profiles --------------------------------------------------------------------------------------
    nw, contoso, globex = (c[0] for c in CUSTOMERS)
    nw_default = add_reach_profile(
        emu,
        nw,
        "Northwind default",
        flavorParamsIds="301,302",
        maxCharactersPerCaptionLine=32,
        enableProfanityRemoval=1,
        enableSpeakerChangeIndication=1,
        enableAudioTags=1,
        enableMetadataExtraction=1,
        vendorTaskProcessingRegion=ProcessingRegion.US,
        contentDeletionPolicy=ContentDeletionPolicy.DELETE_AFTER_MONTH,
        defaultOutputFormat=OutputFormat.SRT,
        dictionaries=[dictionary("English", "Northwind", "kinesiology", "Prof. Okafor", "sarcomere")],
    )
    nw_eu = add_reach_profile(
        emu,
        nw,
        "Northwind EU archive",
        flavorParamsIds="999,303,301",
        maxCharactersPerCaptionLine=26,
        vendorTaskProcessingRegion=ProcessingRegion.EU,
        contentDeletionPolicy=ContentDeletionPolicy.DELETE_ONCE_PROCESSED,
        defaultOutputFormat=OutputFormat.DFXP,
        dictionaries=[dictionary("English", "Erasmus", "ECTS"), dictionary("Spanish", "Universidad")],
    )
    contoso_profile = add_reach_profile(
        emu,
        contoso,
        "Contoso media",
        flavorParamsIds=None,
        maxCharactersPerCaptionLine=32,
        enableProfanityRemoval=1,
        vendorTaskProcessingRegion=ProcessingRegion.CA,
        contentDeletionPolicy=ContentDeletionPolicy.DO_NOTHING,
        defaultOutputFormat=OutputFormat.VTT,
        labelAdditionForHumanServiceType="(pro)",
    )
    globex_profile = add_reach_profile(
        emu,
        globex,
        "Globex compliance",
        flavorParamsIds="302",
        maxCharactersPerCaptionLine=26,
        enableProfanityRemoval=1,
        enableSpeakerChangeIndication=1,
        enableMetadataExtraction=1,
        vendorTaskProcessingRegion=ProcessingRegion.US,
        contentDeletionPolicy=ContentDeletionPolicy.DELETE_AFTER_THREE_MONTHS,
        defaultOutputFormat=OutputFormat.SRT,
        dictionaries=[dictionary("English", "Globex", "tachycardia", "metoprolol", "triage")],
    )

    # entries ---------------------------------------------------------------------------------------
    # Make the five media variants two at a time first (a cold cache costs seconds per variant); the
    # entries below then find them cached, in a fixed order, so ids stay the same.
    variants = [
        (True, "lecture"),
        (True, "default"),
        (True, "interview"),
        (False, "podcast"),
        (False, "radio"),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda v: _media(emu, 20.0, v[0], v[1]), variants))

    def ago(hours: float) -> int:
        return now - int(hours * HOUR)

    nw_l1 = add_entry(
        emu, nw, "Lecture 1 - Introduction to kinesiology", variant="lecture", created_at=ago(30)
    )
    nw_l2 = add_entry(emu, nw, "Lecture 2 - Muscle groups", variant="lecture", created_at=ago(28))
    nw_l3 = add_entry(emu, nw, "Lecture 3 - Joints and levers", variant="default", created_at=ago(20))
    nw_pod = add_entry(
        emu, nw, "Campus podcast, episode 12", video=False, variant="podcast", created_at=ago(16)
    )
    nw_guest = add_entry(
        emu, nw, "Guest talk (archive, no HLS)", variant="default", hls=False, created_at=ago(12)
    )
    nw_eu_seminar = add_entry(
        emu, nw, "Erasmus seminar recording", video=False, variant="podcast", created_at=ago(8)
    )
    nw_live = add_live_entry(emu, nw, "Town hall (live)", created_at=ago(72))
    nw_live2 = add_live_entry(emu, nw, "Graduation ceremony (live)", created_at=ago(96))
    co_trailer = add_entry(emu, contoso, "Product launch trailer", variant="interview", created_at=ago(26))
    co_interview = add_entry(
        emu, contoso, "Interview with the director", variant="interview", created_at=ago(6)
    )
    co_radio = add_entry(emu, contoso, "Radio spot", video=False, variant="radio", created_at=ago(3))
    gx_onboard = add_entry(emu, globex, "Patient onboarding", variant="default", created_at=ago(40))
    gx_nurse = add_entry(
        emu, globex, "Nurse training module 4 (no HLS)", variant="lecture", hls=False, created_at=ago(10)
    )
    gx_welcome = add_entry(
        emu, globex, "Welcome message for sign language", variant="interview", created_at=ago(50)
    )

    human_source = add_caption_asset(emu, nw_l2, SAMPLE_SRT, accuracy=100, created_at=ago(27))
    machine_source = add_caption_asset(
        emu, co_trailer, ROUGH_SRT, accuracy=80, label="English (auto)", created_at=ago(25)
    )

    # tasks: Northwind orders most of them ---------------------------------------------------------------
    def task(partner: int, entry: dict, item: dict, profile: dict, hours_ago: float, **fields: Any) -> dict:
        return create_task(
            emu,
            partnerId=partner,
            entryId=entry["id"],
            catalogItemId=item["id"],
            reachProfileId=profile["id"],
            createdAt=ago(hours_ago),
            **fields,
        )

    task(nw, nw_l1, cap_human, nw_default, 30, notes="Speaker names: Prof. Okafor, students.")
    task(nw, nw_l3, cap_human, nw_default, 20, notes="Please keep the Latin muscle names as spoken.")
    task(nw, nw_pod, cap_human, nw_eu, 16)
    task(nw, nw_guest, cap_machine, nw_default, 11.8)
    task(nw, nw_eu_seminar, cap_human_es, nw_eu, 8, notes="Spanish and some English; caption the Spanish.")
    task(
        nw,
        nw_l2,
        tr_source,
        nw_default,
        26,
        notes="Formal register (vous).",
        taskJobData={"objectType": "KalturaTranslationVendorTaskData", "captionAssetId": human_source["id"]},
    )
    task(nw, nw_l1, chaptering, nw_default, 29, notes="One chapter per topic, 3 to 6 chapters.")
    task(nw, nw_l3, audio_desc, nw_default, 19)
    # live captions: one waiting for the vendor, one the vendor already scheduled
    start, end = now + 2 * DAY, now + 2 * DAY + HOUR
    event = add_live_schedule_event(emu, nw_live, start, end)
    live_task = task(
        nw,
        nw_live,
        live,
        nw_default,
        70,
        notes="Town hall; several speakers.",
        taskJobData={
            "objectType": "KalturaScheduledVendorTaskData",
            "startDate": start - 900,
            "endDate": end + 900,
            "scheduledEventId": event["id"],
            "entryDuration": HOUR * 1000,
        },
    )
    add_live_feature(emu, event, live_task)
    start2, end2 = now + 5 * DAY, now + 5 * DAY + 2 * HOUR
    event2 = add_live_schedule_event(emu, nw_live2, start2, end2)
    scheduled = task(
        nw,
        nw_live2,
        live,
        nw_default,
        90,
        taskJobData={
            "objectType": "KalturaScheduledVendorTaskData",
            "startDate": start2 - 900,
            "endDate": end2 + 900,
            "scheduledEventId": event2["id"],
            "entryDuration": 2 * HOUR * 1000,
        },
    )
    add_live_feature(
        emu,
        event2,
        scheduled,
        mediaUrl="rtmps://live.acme-captioning.example/app",
        mediaKey=f"reach-{scheduled['id']}",
        captionUrl="wss://live.acme-captioning.example/captions",
        captionToken="demo-caption-token",
    )
    emu.store.update(
        "task", scheduled["id"], {"status": TaskStatus.SCHEDULED, "externalTaskId": "ACME-LIVE-0001"}
    )
    emu.store.add_history(
        scheduled["id"], TaskStatus.SCHEDULED, f"vendor:{VENDOR_PARTNER_ID}", at=float(ago(80))
    )
    # Contoso
    task(contoso, co_interview, cap_human, contoso_profile, 6)
    task(contoso, co_radio, cap_machine, contoso_profile, 0.2)
    task(
        contoso,
        co_trailer,
        tr_source,
        contoso_profile,
        24,
        taskJobData={
            "objectType": "KalturaTranslationVendorTaskData",
            "captionAssetId": machine_source["id"],
        },
    )
    task(
        contoso,
        co_trailer,
        dubbing,
        contoso_profile,
        25,
        notes="Keep the brand name in English.",
        taskJobData={"objectType": "KalturaDubbingVendorTaskData"},
    )
    # Globex
    task(
        globex,
        gx_onboard,
        ext_audio_desc,
        globex_profile,
        40,
        taskJobData={"objectType": "KalturaAudioDescriptionVendorTaskData"},
    )
    task(globex, gx_nurse, tr_audio, globex_profile, 10)
    source_flavor = next(
        iter(emu.store.find("flavor_asset", entryId=gx_welcome["id"], flavorParamsId=0)), None
    )
    task(
        globex,
        gx_welcome,
        sign,
        globex_profile,
        50,
        taskJobData={
            "objectType": "KalturaSignLanguageVendorTaskData",
            "assetId": source_flavor["id"] if source_flavor else None,
        },
    )
    # one finished task, so lists show history
    done = task(globex, gx_onboard, cap_human, globex_profile, 60)
    emu.store.update(
        "task",
        done["id"],
        {"status": TaskStatus.READY, "outputObjectId": "0_done0001", "accuracy": 99, "finishTime": ago(20)},
    )
    emu.store.add_history(done["id"], TaskStatus.PROCESSING, f"vendor:{VENDOR_PARTNER_ID}", at=float(ago(50)))
    emu.store.add_history(done["id"], TaskStatus.READY, f"vendor:{VENDOR_PARTNER_ID}", at=float(ago(20)))


def add_long_entry(
    emu: Emulator, seconds: float = 3600.0, *, video: bool = True, partner_id: int = CUSTOMERS[0][0]
) -> dict[str, Any]:
    """A long entry (default 1 h) plus a PENDING human-captions task on it, for benchmarks."""
    from reach_studio.emulator.services.reach import create_task

    if seconds <= 0:
        raise SeedError("the long entry needs a positive duration")
    entry = add_entry(
        emu,
        partner_id,
        f"Long recording ({seconds / 60:g} min)",
        duration_s=seconds,
        video=video,
        variant="long",
    )
    item = next((i for i in emu.store.find("catalog_item", serviceFeature=CAPTIONS, serviceType=HUMAN)), None)
    profile = next(iter(emu.store.find("reach_profile", partnerId=partner_id)), None)
    if item is None or profile is None:
        raise SeedError("the long entry needs the demo seed (catalog item and profile)")
    task = create_task(
        emu,
        partnerId=partner_id,
        entryId=entry["id"],
        catalogItemId=item["id"],
        reachProfileId=profile["id"],
        notes="Benchmark: long recording.",
    )
    return {"entry": entry, "task": task}
