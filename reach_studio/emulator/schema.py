"""Object types and enums the emulator knows, so that add/update validate the way Kaltura's API layer does.

Each Kaltura object type is declared once with its parent and fields; a field spec is a short string:
`"<type> [ro] [io] [required]"` where type is str, int, float, bool, `enum:<EnumName>`, `obj:<Type>`,
`list:<Type>` or `map:<Type>`. From that one table the emulator turns wire dicts into typed dicts
(`coerce`), refuses readonly/insert-only changes and missing required fields, checks enums, and fills
in the empty elements Kaltura writes for null fields when serialising. Other emulator modules declare
their own types with `define(...)` / `define_enum(...)` at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reach_studio.emulator.errors import ApiError


@dataclass(frozen=True)
class Field:
    kind: str  # str, int, float, bool, enum, obj, list, map
    ref: str = ""  # enum or object type name
    ro: bool = False
    io: bool = False
    required: bool = False


@dataclass
class ObjectType:
    name: str
    parent: str | None
    fields: dict[str, Field]
    abstract: bool = False


@dataclass(frozen=True)
class EnumType:
    name: str
    base: str  # "int" or "str"
    values: frozenset | None  # None = any value of the base type


TYPES: dict[str, ObjectType] = {}
ENUMS: dict[str, EnumType] = {}
_FIELDS_CACHE: dict[str, dict[str, Field]] = {}


def _parse_field(spec: str) -> Field:
    words = spec.split()
    head = words[0]
    kind, _, ref = head.partition(":")
    flags = set(words[1:])
    unknown = flags - {"ro", "io", "required"}
    if kind not in {"str", "int", "float", "bool", "enum", "obj", "list", "map"} or unknown:
        raise ValueError(f"bad field spec {spec!r}")
    return Field(kind, ref, "ro" in flags, "io" in flags, "required" in flags)


def define(type_name: str, parent: str | None = None, /, *, abstract: bool = False, **fields: str) -> None:
    """Declare (or redeclare) an object type and its own fields (parents' fields are inherited)."""
    TYPES[type_name] = ObjectType(
        type_name, parent, {k: _parse_field(v) for k, v in fields.items()}, abstract
    )
    _FIELDS_CACHE.clear()


def define_enum(name: str, base: str, values: list | tuple | set | None) -> None:
    if base not in ("int", "str"):
        raise ValueError(base)
    vals = None if values is None else frozenset(int(v) if base == "int" else str(v) for v in values)
    ENUMS[name] = EnumType(name, base, vals)


def all_fields(type_name: str) -> dict[str, Field]:
    cached = _FIELDS_CACHE.get(type_name)
    if cached is not None:
        return cached
    chain = []
    name: str | None = type_name
    while name is not None and name in TYPES:
        chain.append(TYPES[name])
        name = TYPES[name].parent
    fields: dict[str, Field] = {}
    for t in reversed(chain):
        fields.update(t.fields)
    _FIELDS_CACHE[type_name] = fields
    return fields


def is_subclass(type_name: str, base: str) -> bool:
    name: str | None = type_name
    while name is not None:
        if name == base:
            return True
        t = TYPES.get(name)
        name = t.parent if t else None
    return False


# ---- wire value -> typed value ------------------------------------------------------------------
def _php_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() == "false":
        return False
    return text not in ("", "0")


def convert(value: Any, f: Field, prop: str) -> Any:
    """Convert one wire value (usually a string) to the field's type, or raise Kaltura's error."""
    if value is None:
        return None
    kind = f.kind
    if kind not in ("obj", "list", "map") and isinstance(value, (dict, list)):
        raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE=f.ref or kind)
    if kind == "str":
        return value if isinstance(value, str) else str(value)
    if kind == "int":
        return _to_int(value, prop, "integer")
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE="float") from None
    if kind == "bool":
        return _php_bool(value)
    if kind == "enum":
        return convert_enum(value, f.ref, prop)
    if kind == "obj":
        if not isinstance(value, dict):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE=f.ref)
        return coerce(value, f.ref, prop)
    if kind == "list":
        return [coerce(item, f.ref, prop) for item in _as_list(value, prop)]
    if kind == "map":
        if not isinstance(value, dict):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE="map")
        return {str(k): coerce(v, f.ref, prop) for k, v in value.items() if k != "-"}
    raise AssertionError(kind)


def _to_int(value: Any, prop: str, type_label: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lower() == "true":
        return 1
    if text.lower() == "false":
        return 0
    try:
        return int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE=type_label) from None
        if as_float != int(as_float):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE=type_label) from None
        return int(as_float)


def convert_enum(value: Any, enum_name: str, prop: str) -> Any:
    enum = ENUMS.get(enum_name)
    if enum is None or enum.base == "str":
        text = value if isinstance(value, str) else str(value)
        if enum is not None and enum.values is not None and text not in enum.values:
            raise ApiError("INVALID_ENUM_VALUE", ENUM_VAL=text, PARAM_NAME=prop, ENUM_TYPE=enum_name)
        return text
    if enum.name == "KalturaNullableBoolean" and str(value).strip() == "":
        return 0
    try:
        number = _to_int(value, prop, enum_name)
    except ApiError:
        raise ApiError("INVALID_ENUM_VALUE", ENUM_VAL=value, PARAM_NAME=prop, ENUM_TYPE=enum_name) from None
    if enum.values is not None and number not in enum.values:
        raise ApiError("INVALID_ENUM_VALUE", ENUM_VAL=value, PARAM_NAME=prop, ENUM_TYPE=enum_name)
    return number


def _as_list(value: Any, prop: str) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        # An empty array is sent as {"-": ""}; form-style arrays come as {"0": {...}, "1": {...}}.
        items = [(k, v) for k, v in value.items() if k != "-"]
        try:
            items.sort(key=lambda kv: int(kv[0]))
        except ValueError:
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE="array") from None
        return [v for _, v in items]
    if value == "":
        return []
    raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop, TYPE="array")


def coerce(raw: dict[str, Any], base_type: str, prop: str = "") -> dict[str, Any]:
    """Turn a wire object into a typed dict of `objectType` (a subclass of base_type); only sent fields."""
    if not isinstance(raw, dict):
        raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=prop or base_type, TYPE=base_type)
    type_name = raw.get("objectType") or base_type
    if not isinstance(type_name, str):
        raise ApiError("OBJECT_TYPE_NOT_FOUND", CLASS_NAME=str(type_name)[:100])
    if type_name not in TYPES:
        raise ApiError("OBJECT_TYPE_NOT_FOUND", CLASS_NAME=type_name)
    if not is_subclass(type_name, base_type):
        raise ApiError("INVALID_OBJECT_TYPE", CLASS_NAME=type_name)
    if TYPES[type_name].abstract:
        raise ApiError("OBJECT_TYPE_ABSTRACT", CLASS_NAME=type_name)
    fields = all_fields(type_name)
    result: dict[str, Any] = {"objectType": type_name}
    for key, value in raw.items():
        if key == "objectType":
            continue
        if key.endswith("__null"):
            name = key[: -len("__null")]
            if name in fields:
                result[name] = None
            continue
        f = fields.get(key)
        if f is None:
            continue  # Kaltura ignores properties it does not know
        result[key] = convert(value, f, f"{type_name}::{key}")
    return result


def check_insert(obj: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> None:
    """Refuse readonly fields and missing required ones on add, like KalturaObject::validateForInsert."""
    type_name = obj["objectType"]
    for name, f in all_fields(type_name).items():
        if name in ignore:
            continue
        if f.ro and obj.get(name) is not None:
            raise ApiError("PROPERTY_VALIDATION_NOT_UPDATABLE", PROP_NAME=f"{type_name}::{name}")
        if f.required and obj.get(name) in (None, ""):
            raise ApiError("PROPERTY_VALIDATION_CANNOT_BE_NULL", PROP_NAME=f"{type_name}::{name}")


def check_update(stored: dict[str, Any], changes: dict[str, Any]) -> None:
    """Refuse changes to readonly / insert-only fields (when the value differs) and nulling required ones."""
    type_name = changes.get("objectType") or stored.get("objectType")
    for name, value in changes.items():
        if name == "objectType":
            continue
        f = all_fields(type_name).get(name)
        if f is None:
            continue
        if (f.ro or f.io) and value != stored.get(name):
            raise ApiError("PROPERTY_VALIDATION_NOT_UPDATABLE", PROP_NAME=f"{type_name}::{name}")
        if f.required and value is None:
            raise ApiError("PROPERTY_VALIDATION_CANNOT_BE_NULL", PROP_NAME=f"{type_name}::{name}")


def public_view(obj: Any) -> Any:
    """The object as a client sees it: internal "_" keys dropped, unset declared fields present as None."""
    if isinstance(obj, dict):
        type_name = obj.get("objectType")
        out: dict[str, Any] = {}
        if type_name:
            out["objectType"] = type_name
            for name in all_fields(type_name):
                out[name] = None
        for key, value in obj.items():
            if key.startswith("_") or key == "objectType":
                continue
            out[key] = public_view(value)
        return out
    if isinstance(obj, list):
        return [public_view(v) for v in obj]
    return obj


# ---- the types the REACH core owns: sessions, app tokens, tasks, catalog items, profiles --------
define_enum("KalturaEntryVendorTaskStatus", "int", range(1, 10))
define_enum("KalturaVendorServiceFeature", "int", None)
define_enum("KalturaVendorServiceType", "int", [1, 2, 3])
define_enum("KalturaVendorServiceTurnAroundTime", "int", None)
define_enum("KalturaVendorCatalogItemOutputFormat", "int", [1, 2, 3])
define_enum("KalturaVendorCatalogItemStatus", "int", [1, 2, 3])
define_enum("KalturaVendorCatalogItemStage", "int", [1, 2])
define_enum("KalturaReachProfileContentDeletionPolicy", "int", [1, 2, 3, 4, 5])
define_enum("KalturaReachProfileStatus", "int", [1, 2, 3])
define_enum("KalturaReachProfileType", "int", [1, 2])
define_enum("KalturaVendorTaskProcessingRegion", "int", [1, 2, 3])
define_enum("KalturaEntryObjectType", "int", [1, 2, 3])
define_enum("KalturaEntryVendorTaskCreationMode", "int", [1, 2])
define_enum("KalturaNullableBoolean", "int", [-1, 0, 1])
define_enum("KalturaSessionType", "int", [0, 2])
define_enum("KalturaAppTokenHashType", "str", ["MD5", "SHA1", "SHA256", "SHA512"])
define_enum("KalturaAppTokenStatus", "int", [1, 2, 3])
define_enum("KalturaCatalogItemLanguage", "str", None)
define_enum("KalturaVendorCatalogItemPriceFunction", "str", None)
define_enum("KalturaEntryVendorTaskOrderBy", "str", None)
define_enum("KalturaLanguage", "str", None)

define("KalturaObjectBase", None, abstract=True)
define("KalturaFilterPager", "KalturaObjectBase", pageSize="int", pageIndex="int")
define("KalturaResponseProfileHolder", "KalturaObjectBase", id="int", systemName="str")
define("KalturaListResponse", "KalturaObjectBase", totalCount="int ro")

define(
    "KalturaSessionInfo",
    "KalturaObjectBase",
    ks="str ro",
    sessionType="enum:KalturaSessionType ro",
    partnerId="int ro",
    userId="str ro",
    expiry="int ro",
    privileges="str ro",
)
define(
    "KalturaStartWidgetSessionResponse", "KalturaObjectBase", partnerId="int ro", ks="str ro", userId="str ro"
)
define(
    "KalturaAppToken",
    "KalturaObjectBase",
    id="str ro",
    token="str ro",
    partnerId="int ro",
    createdAt="int ro",
    updatedAt="int ro",
    status="enum:KalturaAppTokenStatus ro",
    expiry="int",
    sessionType="enum:KalturaSessionType",
    sessionUserId="str",
    sessionDuration="int",
    sessionPrivileges="str",
    hashType="enum:KalturaAppTokenHashType",
    description="str",
)

define("KalturaVendorTaskData", "KalturaObjectBase", entryDuration="int ro", vendorComment="str")
define(
    "KalturaScheduledVendorTaskData",
    "KalturaVendorTaskData",
    startDate="int io",
    endDate="int io",
    scheduledEventId="int io",
)
define("KalturaCaptionVendorTaskData", "KalturaVendorTaskData")
define("KalturaAudioDescriptionVendorTaskData", "KalturaVendorTaskData")
define("KalturaDubbingVendorTaskData", "KalturaVendorTaskData")
define("KalturaVendorTaskDataCaptionAsset", "KalturaVendorTaskData", captionAssetId="str io")
define("KalturaTranslationVendorTaskData", "KalturaVendorTaskDataCaptionAsset")
define(
    "KalturaAlignmentVendorTaskData",
    "KalturaVendorTaskDataCaptionAsset",
    textTranscriptAssetId="str",
    jsonTranscriptAssetId="str io",
)
define("KalturaSignLanguageVendorTaskData", "KalturaVendorTaskData", assetId="str io")
define(
    "KalturaLocalizedVendorTaskData",
    "KalturaVendorTaskData",
    outputLanguage="enum:KalturaLanguage",
    outputJson="str",
)
define("KalturaEntryVendorTaskUnit", "KalturaObjectBase", unitsUsed="float", serviceName="str")

define(
    "KalturaEntryVendorTask",
    "KalturaObjectBase",
    id="int ro",
    partnerId="int ro",
    vendorPartnerId="int ro",
    createdAt="int ro",
    updatedAt="int ro",
    queueTime="int ro",
    finishTime="int ro",
    entryId="str io",
    status="enum:KalturaEntryVendorTaskStatus",
    reachProfileId="int io",
    catalogItemId="int io",
    price="float ro",
    userId="str ro",
    entryObjectType="enum:KalturaEntryObjectType io",
    unitsUsed="int",
    unitsUsedArray="list:KalturaEntryVendorTaskUnit",
    moderatingUser="str ro",
    errDescription="str",
    accessKey="str ro",
    version="str ro",
    notes="str",
    dictionary="str ro",
    context="str",
    accuracy="int",
    outputObjectId="str",
    partnerData="str",
    creationMode="enum:KalturaEntryVendorTaskCreationMode ro",
    taskJobData="obj:KalturaVendorTaskData",
    expectedFinishTime="int ro",
    serviceType="enum:KalturaVendorServiceType ro",
    serviceFeature="enum:KalturaVendorServiceFeature ro",
    turnAroundTime="enum:KalturaVendorServiceTurnAroundTime ro",
    externalTaskId="str",
    externalObjectId="str io",
)
define("KalturaEntryVendorTaskListResponse", "KalturaListResponse", objects="list:KalturaEntryVendorTask ro")
define(
    "KalturaEntryVendorTaskFilter",
    "KalturaObjectBase",
    orderBy="enum:KalturaEntryVendorTaskOrderBy",
    idEqual="int",
    idIn="str",
    idNotIn="str",
    vendorPartnerIdEqual="int",
    vendorPartnerIdIn="str",
    createdAtGreaterThanOrEqual="int",
    createdAtLessThanOrEqual="int",
    updatedAtGreaterThanOrEqual="int",
    updatedAtLessThanOrEqual="int",
    queueTimeGreaterThanOrEqual="int",
    queueTimeLessThanOrEqual="int",
    finishTimeGreaterThanOrEqual="int",
    finishTimeLessThanOrEqual="int",
    expectedFinishTimeGreaterThanOrEqual="int",
    expectedFinishTimeLessThanOrEqual="int",
    entryIdEqual="str",
    entryIdIn="str",
    statusEqual="enum:KalturaEntryVendorTaskStatus",
    statusIn="str",
    reachProfileIdEqual="int",
    reachProfileIdIn="str",
    catalogItemIdEqual="int",
    catalogItemIdIn="str",
    userIdEqual="str",
    contextEqual="str",
    freeText="str",
    entryObjectTypeEqual="enum:KalturaEntryObjectType",
    entryObjectTypeIn="str",
    entryObjectTypeNotIn="str",
)

define(
    "KalturaVendorCatalogItemPricing",
    "KalturaObjectBase",
    pricePerUnit="float",
    priceFunction="enum:KalturaVendorCatalogItemPriceFunction",
)
define(
    "KalturaVendorCatalogItem",
    "KalturaObjectBase",
    id="int ro",
    vendorPartnerId="int",
    name="str",
    systemName="str",
    createdAt="int ro",
    updatedAt="int ro",
    status="enum:KalturaVendorCatalogItemStatus ro",
    serviceType="enum:KalturaVendorServiceType",
    serviceFeature="enum:KalturaVendorServiceFeature ro",
    turnAroundTime="enum:KalturaVendorServiceTurnAroundTime",
    pricing="obj:KalturaVendorCatalogItemPricing",
    engineType="str",
    sourceLanguage="enum:KalturaCatalogItemLanguage",
    allowResubmission="bool",
    payPerUse="bool",
    vendorData="str",
    stage="enum:KalturaVendorCatalogItemStage",
    lastBulkUpdateId="int",
    contract="str",
    createdBy="str",
    notes="str",
    partnerId="int",
    defaultReachProfileId="int",
    adminTagsToExclude="str",
)
define(
    "KalturaVendorCaptionsCatalogItem",
    "KalturaVendorCatalogItem",
    outputFormat="enum:KalturaVendorCatalogItemOutputFormat",
    enableSpeakerId="enum:KalturaNullableBoolean",
    fixedPriceAddons="int",
)
define(
    "KalturaVendorTranslationCatalogItem",
    "KalturaVendorCaptionsCatalogItem",
    targetLanguage="enum:KalturaCatalogItemLanguage",
    requireSource="bool",
)
define(
    "KalturaVendorLiveCatalogItem",
    "KalturaVendorCaptionsCatalogItem",
    minimalRefundTime="int",
    minimalOrderTime="int",
    durationLimit="int",
)
define(
    "KalturaVendorLiveCaptionCatalogItem",
    "KalturaVendorLiveCatalogItem",
    startTimeBuffer="int io",
    endTimeBuffer="int io",
)
define(
    "KalturaVendorLiveTranslationCatalogItem",
    "KalturaVendorLiveCatalogItem",
    targetLanguage="enum:KalturaCatalogItemLanguage",
)
define(
    "KalturaVendorAlignmentCatalogItem",
    "KalturaVendorCatalogItem",
    outputFormat="enum:KalturaVendorCatalogItemOutputFormat",
)
define(
    "KalturaVendorAudioDescriptionCatalogItem",
    "KalturaVendorCatalogItem",
    flavorParamsId="int",
    clearAudioFlavorParamsId="int",
)
define(
    "KalturaVendorExtendedAudioDescriptionCatalogItem",
    "KalturaVendorCatalogItem",
    flavorParamsId="int",
    clearAudioFlavorParamsId="int",
    outputFormat="enum:KalturaVendorCatalogItemOutputFormat",
)
define(
    "KalturaVendorDubbingCatalogItem",
    "KalturaVendorCatalogItem",
    flavorParamsId="int",
    clearAudioFlavorParamsId="int",
    targetLanguage="enum:KalturaCatalogItemLanguage",
)
define(
    "KalturaVendorSignLanguageCatalogItem",
    "KalturaVendorCatalogItem",
    targetLanguage="enum:KalturaCatalogItemLanguage",
)
define("KalturaVendorChapteringCatalogItem", "KalturaVendorCatalogItem")
define(
    "KalturaVendorCatalogItemListResponse", "KalturaListResponse", objects="list:KalturaVendorCatalogItem ro"
)

define("KalturaDictionary", "KalturaObjectBase", language="enum:KalturaCatalogItemLanguage", data="str")
define(
    "KalturaReachProfile",
    "KalturaObjectBase",
    id="int ro",
    name="str",
    partnerId="int ro",
    createdAt="int ro",
    updatedAt="int ro",
    status="enum:KalturaReachProfileStatus ro",
    profileType="enum:KalturaReachProfileType",
    defaultOutputFormat="enum:KalturaVendorCatalogItemOutputFormat",
    enableMachineModeration="enum:KalturaNullableBoolean",
    enableHumanModeration="enum:KalturaNullableBoolean",
    enableHybridModeration="enum:KalturaNullableBoolean",
    autoDisplayMachineCaptionsOnPlayer="enum:KalturaNullableBoolean",
    autoDisplayHumanCaptionsOnPlayer="enum:KalturaNullableBoolean",
    autoDisplayHybridCaptionsOnPlayer="enum:KalturaNullableBoolean",
    enableMetadataExtraction="enum:KalturaNullableBoolean",
    enableSpeakerChangeIndication="enum:KalturaNullableBoolean",
    enableAudioTags="enum:KalturaNullableBoolean",
    enableProfanityRemoval="enum:KalturaNullableBoolean",
    maxCharactersPerCaptionLine="int",
    labelAdditionForMachineServiceType="str",
    labelAdditionForHumanServiceType="str",
    labelAdditionForHybridServiceType="str",
    contentDeletionPolicy="enum:KalturaReachProfileContentDeletionPolicy",
    usedCredit="float ro",
    dictionaries="list:KalturaDictionary",
    flavorParamsIds="str",
    vendorTaskProcessingRegion="enum:KalturaVendorTaskProcessingRegion",
    allowedCatalogItemIds="str",
)
define("KalturaReachProfileListResponse", "KalturaListResponse", objects="list:KalturaReachProfile ro")
