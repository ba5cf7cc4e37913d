"""Turning the official client's REACH objects into `domain.task` models, and tasks to/from plain dicts.

Why it exists: the rest of the app works on typed dataclasses, never on KalturaClient objects, so the
mapping lives in one place. It reads objects by attribute (duck typing), so the domain layer does not
import the client. Fields the client knows but our models do not name go to `extra`; enum values from
a newer server are kept as tolerant pseudo-members; a missing related object is simply None.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reach_studio.domain.enums import (
    ContentDeletionPolicy,
    OutputFormat,
    ProcessingRegion,
    ServiceFeature,
    ServiceType,
    TaskStatus,
    TurnAroundTime,
)
from reach_studio.domain.task import CatalogItem, Dictionary, ReachProfile, Task


class TaskMappingError(ValueError):
    """A task object lacks something we cannot work without (its id, entry or status)."""


def plain(value: Any) -> Any:
    """A client value as plain Python: enum wrappers → raw value, objects → dicts, NotImplemented → None."""
    if value is NotImplemented:
        return None
    if hasattr(value, "getValue") and callable(value.getValue):
        return value.getValue()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "__dict__") and not isinstance(value, (str, bytes, int, float, bool)):
        out = {
            k: plain(v) for k, v in vars(value).items() if v is not NotImplemented and not k.startswith("_")
        }
        out.setdefault("objectType", type(value).__name__)
        return out
    return value


def _fields(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    return plain(obj) if obj is not None else {}


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    """NullableBoolean (1/0/-1), bool, or "true"/"1" strings → bool; None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        return None
    number = _int(value)
    if number is None or number < 0:
        return None
    return bool(number)


def _enum(cls, value: Any):
    number = _int(value)
    return None if number is None else cls(number)


def _first(*values: Any) -> Any:
    """The first value that is not None (0 is a real value: IMMEDIATE turnaround)."""
    for value in values:
        if value is not None:
            return value
    return None


_CATALOG_KNOWN = {
    "id",
    "serviceFeature",
    "serviceType",
    "turnAroundTime",
    "name",
    "sourceLanguage",
    "targetLanguage",
    "outputFormat",
    "enableSpeakerId",
    "requireSource",
    "flavorParamsId",
    "clearAudioFlavorParamsId",
    "objectType",
    "relatedObjects",
}


def catalog_item_from(obj: Any) -> CatalogItem:
    d = _fields(obj)
    object_type = d.get("objectType") or "KalturaVendorCatalogItem"
    return CatalogItem(
        id=_int(d.get("id")) or 0,
        service_feature=_first(_enum(ServiceFeature, d.get("serviceFeature")), ServiceFeature(0)),
        service_type=_first(_enum(ServiceType, d.get("serviceType")), ServiceType(0)),
        turn_around_time=_first(_enum(TurnAroundTime, d.get("turnAroundTime")), TurnAroundTime.BEST_EFFORT),
        name=d.get("name") or "",
        source_language=d.get("sourceLanguage") or None,
        target_language=d.get("targetLanguage") or None,
        output_format=_enum(OutputFormat, d.get("outputFormat")),
        enable_speaker_id=bool(_bool(d.get("enableSpeakerId"))),
        require_source=_bool(d.get("requireSource")),
        flavor_params_id=_int(d.get("flavorParamsId")),
        clear_audio_flavor_params_id=_int(d.get("clearAudioFlavorParamsId")),
        object_type=object_type,
        extra={k: v for k, v in d.items() if k not in _CATALOG_KNOWN and v is not None},
    )


_PROFILE_KNOWN = {
    "id",
    "name",
    "defaultOutputFormat",
    "enableMetadataExtraction",
    "enableSpeakerChangeIndication",
    "enableAudioTags",
    "enableProfanityRemoval",
    "maxCharactersPerCaptionLine",
    "contentDeletionPolicy",
    "vendorTaskProcessingRegion",
    "flavorParamsIds",
    "dictionaries",
    "autoDisplayHumanCaptionsOnPlayer",
    "autoDisplayMachineCaptionsOnPlayer",
    "labelAdditionForHumanServiceType",
    "labelAdditionForMachineServiceType",
    "objectType",
    "relatedObjects",
}


def parse_flavor_params_ids(value: Any) -> list[int]:
    """ "1, 3,5" → [1, 3, 5] in the customer's order; junk items are skipped, duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = str(value).split(",")
    out: list[int] = []
    for item in items:
        number = _int(item.strip())
        if number is not None and number not in out:
            out.append(number)
    return out


def reach_profile_from(obj: Any) -> ReachProfile:
    d = _fields(obj)
    dictionaries = []
    for item in d.get("dictionaries") or []:
        if isinstance(item, dict) and item.get("data"):
            dictionaries.append(Dictionary(language=item.get("language") or "", data=item["data"]))
    return ReachProfile(
        id=_int(d.get("id")) or 0,
        name=d.get("name") or "",
        default_output_format=_enum(OutputFormat, d.get("defaultOutputFormat")),
        enable_metadata_extraction=bool(_bool(d.get("enableMetadataExtraction"))),
        enable_speaker_change_indication=bool(_bool(d.get("enableSpeakerChangeIndication"))),
        enable_audio_tags=bool(_bool(d.get("enableAudioTags"))),
        enable_profanity_removal=bool(_bool(d.get("enableProfanityRemoval"))),
        max_characters_per_caption_line=_int(d.get("maxCharactersPerCaptionLine")) or None,
        content_deletion_policy=_enum(ContentDeletionPolicy, d.get("contentDeletionPolicy")),
        processing_region=_enum(ProcessingRegion, d.get("vendorTaskProcessingRegion")),
        flavor_params_ids=parse_flavor_params_ids(d.get("flavorParamsIds")),
        dictionaries=dictionaries,
        auto_display_human_captions=_bool(d.get("autoDisplayHumanCaptionsOnPlayer")),
        auto_display_machine_captions=_bool(d.get("autoDisplayMachineCaptionsOnPlayer")),
        label_addition_human=d.get("labelAdditionForHumanServiceType") or "",
        label_addition_machine=d.get("labelAdditionForMachineServiceType") or "",
        extra={k: v for k, v in d.items() if k not in _PROFILE_KNOWN and v is not None},
    )


_TASK_KNOWN = {
    "id",
    "partnerId",
    "vendorPartnerId",
    "entryId",
    "status",
    "catalogItemId",
    "reachProfileId",
    "accessKey",
    "createdAt",
    "queueTime",
    "expectedFinishTime",
    "serviceType",
    "serviceFeature",
    "turnAroundTime",
    "notes",
    "dictionary",
    "accuracy",
    "outputObjectId",
    "externalTaskId",
    "errDescription",
    "taskJobData",
    "objectType",
    "relatedObjects",
}


def _related(obj: Any) -> tuple[Any, Any]:
    """(catalog item, reach profile) found in the reach_vendor response profile's related objects."""
    related = getattr(obj, "relatedObjects", None) if not isinstance(obj, dict) else obj.get("relatedObjects")
    if related is NotImplemented or not related:
        return None, None
    catalog = profile = None
    lists = related.values() if isinstance(related, dict) else related
    for listing in lists:
        objects = listing.get("objects") if isinstance(listing, dict) else getattr(listing, "objects", None)
        for item in objects or []:
            name = item.get("objectType", "") if isinstance(item, dict) else type(item).__name__
            if "CatalogItem" in name and catalog is None:
                catalog = item
            elif "ReachProfile" in name and profile is None:
                profile = item
    return catalog, profile


def task_from(obj: Any, account: str = "") -> Task:
    """A KalturaEntryVendorTask (or its dict form) → Task, with catalog item and profile when present."""
    catalog_obj, profile_obj = _related(obj)
    d = _fields(obj)
    task_id = _int(d.get("id"))
    status = _enum(TaskStatus, d.get("status"))
    if task_id is None or status is None or not d.get("entryId"):
        raise TaskMappingError(f"Task object without id, status or entryId: {sorted(d)}")
    job = d.get("taskJobData") or {}
    job = job if isinstance(job, dict) else {}
    catalog = catalog_item_from(catalog_obj) if catalog_obj is not None else None
    profile = reach_profile_from(profile_obj) if profile_obj is not None else None
    return Task(
        id=task_id,
        partner_id=_int(d.get("partnerId")) or 0,
        vendor_partner_id=_int(d.get("vendorPartnerId")) or 0,
        entry_id=str(d["entryId"]),
        status=status,
        catalog_item_id=_int(d.get("catalogItemId")) or 0,
        reach_profile_id=_int(d.get("reachProfileId")) or 0,
        access_key=d.get("accessKey") or "",
        created_at=_int(d.get("createdAt")) or 0,
        queue_time=_int(d.get("queueTime")),
        expected_finish_time=_int(d.get("expectedFinishTime")),
        service_type=_first(_enum(ServiceType, d.get("serviceType")), catalog and catalog.service_type),
        service_feature=_first(
            _enum(ServiceFeature, d.get("serviceFeature")), catalog and catalog.service_feature
        ),
        turn_around_time=_first(
            _enum(TurnAroundTime, d.get("turnAroundTime")), catalog and catalog.turn_around_time
        ),
        notes=d.get("notes") or "",
        dictionary=d.get("dictionary") or "",
        accuracy=_int(d.get("accuracy")),
        output_object_id=d.get("outputObjectId") or "",
        external_task_id=d.get("externalTaskId") or "",
        err_description=d.get("errDescription") or "",
        entry_duration_ms=_int(job.get("entryDuration")),
        job_data_type=job.get("objectType") or "",
        job_data={k: v for k, v in job.items() if k not in ("objectType", "entryDuration") and v is not None},
        catalog_item=catalog,
        reach_profile=profile,
        account=account,
        extra={k: v for k, v in d.items() if k not in _TASK_KNOWN and v is not None},
    )


# ---- plain dicts (the task store, `sync --json`) --------------------------------------------------
def task_to_dict(task: Task) -> dict[str, Any]:
    """JSON-safe dict of every field (enums as ints)."""
    return dataclasses.asdict(task)


def _dc_from_dict(cls, data: dict[str, Any], enums: dict[str, Any]):
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    for name, enum_cls in enums.items():
        if kwargs.get(name) is not None:
            kwargs[name] = enum_cls(kwargs[name])
    return cls(**kwargs)


def task_from_dict(data: dict[str, Any]) -> Task:
    """Inverse of task_to_dict."""
    data = dict(data)
    catalog = data.pop("catalog_item", None)
    profile = data.pop("reach_profile", None)
    task = _dc_from_dict(
        Task,
        data,
        {
            "status": TaskStatus,
            "service_type": ServiceType,
            "service_feature": ServiceFeature,
            "turn_around_time": TurnAroundTime,
        },
    )
    if catalog:
        task.catalog_item = _dc_from_dict(
            CatalogItem,
            catalog,
            {
                "service_feature": ServiceFeature,
                "service_type": ServiceType,
                "turn_around_time": TurnAroundTime,
                "output_format": OutputFormat,
            },
        )
    if profile:
        profile = dict(profile)
        dicts = [Dictionary(**d) for d in profile.pop("dictionaries", []) or []]
        task.reach_profile = _dc_from_dict(
            ReachProfile,
            profile,
            {
                "default_output_format": OutputFormat,
                "content_deletion_policy": ContentDeletionPolicy,
                "processing_region": ProcessingRegion,
            },
        )
        task.reach_profile.dictionaries = dicts
    return task
