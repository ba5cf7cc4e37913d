"""REACH enum values exactly as Kaltura defines them (docs/kaltura-contract.md#enums).

Values from a newer server that we do not know are kept as pseudo-members instead of failing,
so one unknown feature never breaks the queue.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class _TolerantIntEnum(IntEnum):
    @classmethod
    def _missing_(cls, value: object):  # keep unknown values from newer servers
        if not isinstance(value, int):
            try:
                value = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class TaskStatus(_TolerantIntEnum):
    PENDING = 1
    READY = 2
    PROCESSING = 3
    PENDING_MODERATION = 4
    REJECTED = 5
    ERROR = 6
    ABORTED = 7
    PENDING_ENTRY_READY = 8
    SCHEDULED = 9

    @property
    def is_final(self) -> bool:
        return self in (TaskStatus.READY, TaskStatus.REJECTED, TaskStatus.ERROR, TaskStatus.ABORTED)


class ServiceFeature(_TolerantIntEnum):
    CAPTIONS = 1
    TRANSLATION = 2
    ALIGNMENT = 3
    AUDIO_DESCRIPTION = 4
    CHAPTERING = 5
    INTELLIGENT_TAGGING = 6
    DUBBING = 7
    LIVE_CAPTION = 8
    EXTENDED_AUDIO_DESCRIPTION = 9
    CLIPS = 10
    LIVE_TRANSLATION = 11
    QUIZ = 12
    SUMMARY = 13
    VIDEO_ANALYSIS = 14
    MODERATION = 15
    METADATA_ENRICHMENT = 16
    SENTIMENT_ANALYSIS = 17
    DOCUMENT_ENRICHMENT = 18
    SIGN_LANGUAGE = 19
    SPEECH_TO_VIDEO = 20

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


class ServiceType(_TolerantIntEnum):
    HUMAN = 1
    MACHINE = 2
    HYBRID = 3


class TurnAroundTime(_TolerantIntEnum):
    """Seconds, except the business-day values 1..10 and BEST_EFFORT/IMMEDIATE."""

    BEST_EFFORT = -1
    IMMEDIATE = 0
    ONE_BUSINESS_DAY = 1
    TWO_BUSINESS_DAYS = 2
    THREE_BUSINESS_DAYS = 3
    FOUR_BUSINESS_DAYS = 4
    FIVE_BUSINESS_DAYS = 5
    SIX_BUSINESS_DAYS = 6
    SEVEN_BUSINESS_DAYS = 7
    TEN_BUSINESS_DAYS = 10
    THIRTY_MINUTES = 1800
    TWO_HOURS = 7200
    THREE_HOURS = 10800
    SIX_HOURS = 21600
    EIGHT_HOURS = 28800
    TWELVE_HOURS = 43200
    TWENTY_FOUR_HOURS = 86400
    FORTY_EIGHT_HOURS = 172800
    FOUR_DAYS = 345600
    FIVE_DAYS = 432000
    TEN_DAYS = 864000

    @property
    def seconds(self) -> int | None:
        """Approximate duration in seconds (business days count as calendar days); None for best effort."""
        if self.value < 0:
            return None
        if 1 <= self.value <= 10:
            return self.value * 86400
        return self.value


class VendorCatalogItemStatus(_TolerantIntEnum):
    DEPRECATED = 1
    ACTIVE = 2
    DELETED = 3


class ReachProfileStatus(_TolerantIntEnum):
    DISABLED = 1
    ACTIVE = 2
    DELETED = 3


class ReachProfileType(_TolerantIntEnum):
    FREE_TRIAL = 1
    PAID = 2


class EntryObjectType(_TolerantIntEnum):
    """What a task works on (entryVendorTask.entryObjectType)."""

    ENTRY = 1
    ASSET = 2
    EXTERNAL_OBJECT = 3


class TaskCreationMode(_TolerantIntEnum):
    MANUAL = 1
    AUTOMATIC = 2


class OutputFormat(_TolerantIntEnum):
    SRT = 1
    DFXP = 2
    VTT = 3


class ContentDeletionPolicy(_TolerantIntEnum):
    DO_NOTHING = 1
    DELETE_ONCE_PROCESSED = 2
    DELETE_AFTER_WEEK = 3
    DELETE_AFTER_MONTH = 4
    DELETE_AFTER_THREE_MONTHS = 5


class ProcessingRegion(_TolerantIntEnum):
    US = 1
    EU = 2
    CA = 3


class NullableBoolean(_TolerantIntEnum):
    NULL_VALUE = -1
    FALSE_VALUE = 0
    TRUE_VALUE = 1


class CaptionType(StrEnum):
    """KalturaCaptionType: string enum with numeric strings."""

    SRT = "1"
    DFXP = "2"
    WEBVTT = "3"
    CAP = "4"
    SCC = "5"


class CaptionAssetUsage(StrEnum):
    CAPTION = "0"
    EXTENDED_AUDIO_DESCRIPTION = "1"


class AssetStatus(_TolerantIntEnum):
    """Caption and attachment asset status (flavor assets add CONVERTING etc.)."""

    ERROR = -1
    QUEUED = 0
    CONVERTING = 1
    READY = 2
    DELETED = 3
    NOT_APPLICABLE = 4
    TEMP = 5
    WAIT_FOR_CONVERT = 6
    IMPORTING = 7
    VALIDATING = 8
    EXPORTING = 9


class ThumbCuePointSubType(_TolerantIntEnum):
    SLIDE = 1
    CHAPTER = 2


class UploadTokenStatus(_TolerantIntEnum):
    PENDING = 0
    PARTIAL_UPLOAD = 1
    FULL_UPLOAD = 2
    CLOSED = 3
    TIMED_OUT = 4
    DELETED = 5


class CuePointStatus(_TolerantIntEnum):
    """plugins/cue_points/base/lib/model/enums/CuePointStatus.php"""

    READY = 1
    DELETED = 2
    HANDLED = 3
    PENDING = 4


class EntryStatus(StrEnum):
    """KalturaEntryStatus (alpha/lib/enums/entryStatus.php): a string enum with numeric strings."""

    ERROR_IMPORTING = "-2"
    ERROR_CONVERTING = "-1"
    IMPORT = "0"
    PRECONVERT = "1"
    READY = "2"
    DELETED = "3"
    PENDING = "4"
    MODERATE = "5"
    BLOCKED = "6"
    NO_CONTENT = "7"


class EntryType(StrEnum):
    """KalturaEntryType (alpha/lib/enums/entryType.php), the values REACH tasks meet."""

    MEDIA_CLIP = "1"
    LIVE_STREAM = "7"


class EntrySourceType(StrEnum):
    """KalturaSourceType, the values the emulator's entries use."""

    FILE = "1"
    URL = "5"


class MediaType(_TolerantIntEnum):
    VIDEO = 1
    IMAGE = 2
    AUDIO = 5
    LIVE_STREAM_FLASH = 201


class EntryModerationStatus(_TolerantIntEnum):
    PENDING_MODERATION = 1
    APPROVED = 2
    REJECTED = 3
    DELETED = 4
    FLAGGED_FOR_REVIEW = 5
    AUTO_APPROVED = 6


class ScheduleEventStatus(_TolerantIntEnum):
    """plugins/schedule/base/lib/model/enums/ScheduleEventStatus.php"""

    CANCELLED = 1
    ACTIVE = 2
    DELETED = 3


class AppTokenStatus(_TolerantIntEnum):
    DISABLED = 1
    ACTIVE = 2
    DELETED = 3


# KalturaCatalogItemLanguage values are English names; these are the ones we map to ISO codes for
# spell checking, TTML xml:lang and sign-language tags. Unknown names pass through unchanged.
LANGUAGE_CODES: dict[str, str] = {
    "English": "en",
    "English (American)": "en-US",
    "English (British)": "en-GB",
    "English (Australian)": "en-AU",
    "English (ASL)": "ase",
    "English (BSL)": "bfi",
    "Spanish": "es",
    "Spanish (Latin America)": "es-419",
    "French": "fr",
    "French (Canada)": "fr-CA",
    "German": "de",
    "Italian": "it",
    "Portuguese": "pt",
    "Portuguese (Brazil)": "pt-BR",
    "Dutch": "nl",
    "Hebrew": "he",
    "Arabic": "ar",
    "Japanese": "ja",
    "Korean": "ko",
    "Chinese": "zh",
    "Simplified Chinese": "zh-Hans",
    "Traditional Chinese": "zh-Hant",
    "Mandarin Chinese": "cmn",
    "Cantonese": "yue",
    "Russian": "ru",
    "Polish": "pl",
    "Turkish": "tr",
    "Hindi": "hi",
    "Swedish": "sv",
    "Danish": "da",
    "Norwegian": "no",
    "Finnish": "fi",
    "Greek": "el",
    "Czech": "cs",
    "Hungarian": "hu",
    "Romanian": "ro",
    "Ukrainian": "uk",
    "Vietnamese": "vi",
    "Thai": "th",
    "Indonesian": "id",
    "Malay": "ms",
    "Catalan": "ca",
    "Welsh": "cy",
    "Irish": "ga",
}


def language_code(name: str | None) -> str | None:
    """ISO-ish code for a KalturaCatalogItemLanguage name, or None when unknown."""
    if not name:
        return None
    return LANGUAGE_CODES.get(name)
