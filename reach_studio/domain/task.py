"""Typed REACH task, catalog item and profile, holding every field the vendor guide says to consider.

These are plain dataclasses built by `reach_studio.kaltura` from the official client's objects.
Fields a newer server adds are kept in `extra` rather than dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
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


@dataclass
class CatalogItem:
    id: int
    service_feature: ServiceFeature
    service_type: ServiceType
    turn_around_time: TurnAroundTime
    name: str = ""
    source_language: str | None = None  # KalturaCatalogItemLanguage value (an English name)
    target_language: str | None = None
    output_format: OutputFormat | None = None
    enable_speaker_id: bool = False
    require_source: bool | None = None  # translation: None means "not present" = requires source
    flavor_params_id: int | None = None  # dubbing / audio description track
    clear_audio_flavor_params_id: int | None = None
    object_type: str = "KalturaVendorCatalogItem"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dictionary:
    language: str
    data: str  # newline-separated terms

    @property
    def terms(self) -> list[str]:
        return [t.strip() for t in self.data.splitlines() if t.strip()]


@dataclass
class ReachProfile:
    id: int
    name: str = ""
    default_output_format: OutputFormat | None = None
    enable_metadata_extraction: bool = False
    enable_speaker_change_indication: bool = False
    enable_audio_tags: bool = False
    enable_profanity_removal: bool = False
    max_characters_per_caption_line: int | None = None
    content_deletion_policy: ContentDeletionPolicy | None = None
    processing_region: ProcessingRegion | None = None
    flavor_params_ids: list[int] = field(default_factory=list)  # ordered: the first available one wins
    dictionaries: list[Dictionary] = field(default_factory=list)
    auto_display_human_captions: bool | None = None
    auto_display_machine_captions: bool | None = None
    label_addition_human: str = ""
    label_addition_machine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Task:
    id: int
    partner_id: int  # the customer
    vendor_partner_id: int
    entry_id: str
    status: TaskStatus
    catalog_item_id: int
    reach_profile_id: int
    access_key: str = ""
    created_at: int = 0
    queue_time: int | None = None
    expected_finish_time: int | None = None
    service_type: ServiceType | None = None
    service_feature: ServiceFeature | None = None
    turn_around_time: TurnAroundTime | None = None
    notes: str = ""
    dictionary: str = ""
    accuracy: int | None = None
    output_object_id: str = ""
    external_task_id: str = ""
    err_description: str = ""
    entry_duration_ms: int | None = None
    job_data_type: str = ""  # objectType of taskJobData
    job_data: dict[str, Any] = field(default_factory=dict)  # e.g. scheduledEventId, startDate, captionAssetId
    catalog_item: CatalogItem | None = None
    reach_profile: ReachProfile | None = None
    account: str = ""  # which vendor account (service URL + vendor partner) this came from
    access_key_expiry: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def feature(self) -> ServiceFeature | None:
        if self.service_feature is not None:
            return self.service_feature
        return self.catalog_item.service_feature if self.catalog_item else None

    @property
    def source_language(self) -> str | None:
        return self.catalog_item.source_language if self.catalog_item else None

    @property
    def target_language(self) -> str | None:
        return self.catalog_item.target_language if self.catalog_item else None

    @property
    def dictionary_terms(self) -> list[str]:
        terms = [t.strip() for t in self.dictionary.splitlines() if t.strip()]
        if self.reach_profile:
            for d in self.reach_profile.dictionaries:
                if d.language in (self.source_language, self.target_language):
                    terms += [t for t in d.terms if t not in terms]
        return terms

    def seconds_left(self, now: float | None = None) -> float | None:
        if not self.expected_finish_time:
            return None
        return self.expected_finish_time - (time.time() if now is None else now)
