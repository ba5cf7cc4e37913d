"""Mapping KalturaClient task objects (parsed from server XML) to domain Tasks, and the dict round trip."""

from __future__ import annotations

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Base import KalturaObjectFactory
from lxml import etree

from reach_studio.domain.enums import (
    ContentDeletionPolicy,
    OutputFormat,
    ProcessingRegion,
    ServiceFeature,
    ServiceType,
    TaskStatus,
    TurnAroundTime,
)
from reach_studio.domain.task_mapping import parse_flavor_params_ids, task_from, task_from_dict, task_to_dict

KalturaClient(KalturaConfiguration("http://127.0.0.1"))  # registers the plugins' object types

TASK_XML = """<result><objectType>KalturaEntryVendorTask</objectType>
<id>15</id><partnerId>110</partnerId><vendorPartnerId>108</vendorPartnerId><createdAt>1521639688</createdAt>
<entryId>0_0z3458w</entryId><status>1</status><reachProfileId>4</reachProfileId><catalogItemId>9</catalogItemId>
<accessKey>djJ8MTEwfAAAA</accessKey><notes>Speaker names: Ana, Bo</notes><dictionary>kaltura
hello</dictionary><expectedFinishTime>1521726088</expectedFinishTime><serviceType>1</serviceType>
<serviceFeature>2</serviceFeature><turnAroundTime>0</turnAroundTime><externalTaskId></externalTaskId>
<accuracy></accuracy><price>3.5</price>
<taskJobData><objectType>KalturaTranslationVendorTaskData</objectType><entryDuration>20000</entryDuration>
<captionAssetId>0_cap</captionAssetId></taskJobData>
<relatedObjects>
 <item><itemKey>reach_vendor_catalog_item</itemKey><objectType>KalturaVendorCatalogItemListResponse</objectType>
  <objects><item><objectType>KalturaVendorTranslationCatalogItem</objectType><id>9</id><name>Human EN-FR</name>
  <serviceType>1</serviceType><serviceFeature>2</serviceFeature><turnAroundTime>0</turnAroundTime>
  <sourceLanguage>English</sourceLanguage><targetLanguage>French</targetLanguage><outputFormat>3</outputFormat>
  <enableSpeakerId>1</enableSpeakerId><requireSource>0</requireSource><vendorData>xyz</vendorData></item></objects>
  <totalCount>1</totalCount></item>
 <item><itemKey>reach_vendor_profile</itemKey><objectType>KalturaReachProfileListResponse</objectType>
  <objects><item><objectType>KalturaReachProfile</objectType><id>4</id><name>Uni</name>
  <defaultOutputFormat>2</defaultOutputFormat><enableMetadataExtraction>1</enableMetadataExtraction>
  <enableSpeakerChangeIndication>0</enableSpeakerChangeIndication><enableAudioTags>1</enableAudioTags>
  <enableProfanityRemoval>1</enableProfanityRemoval><maxCharactersPerCaptionLine>32</maxCharactersPerCaptionLine>
  <contentDeletionPolicy>2</contentDeletionPolicy><vendorTaskProcessingRegion>2</vendorTaskProcessingRegion>
  <flavorParamsIds>999,303, 301</flavorParamsIds>
  <dictionaries><item><objectType>KalturaDictionary</objectType><language>French</language><data>bonjour
Kaltura</data></item></dictionaries></item></objects><totalCount>1</totalCount></item>
</relatedObjects></result>"""


def _parse(xml: str):
    return KalturaObjectFactory.create(etree.fromstring(xml), "KalturaEntryVendorTask")


def test_full_task_with_catalog_item_and_profile():
    task = task_from(_parse(TASK_XML), account="acct")
    assert (task.id, task.partner_id, task.vendor_partner_id, task.entry_id) == (15, 110, 108, "0_0z3458w")
    assert task.status is TaskStatus.PENDING
    assert task.service_type is ServiceType.HUMAN and task.service_feature is ServiceFeature.TRANSLATION
    assert task.turn_around_time is TurnAroundTime.IMMEDIATE  # 0 is a value, not "missing"
    assert task.notes == "Speaker names: Ana, Bo" and task.dictionary_terms[:2] == ["kaltura", "hello"]
    assert task.entry_duration_ms == 20000 and task.job_data["captionAssetId"] == "0_cap"
    assert task.job_data_type == "KalturaTranslationVendorTaskData"
    assert task.extra["price"] == 3.5 and task.account == "acct"
    assert task.accuracy is None
    ci = task.catalog_item
    assert ci.source_language == "English" and ci.target_language == "French"
    assert ci.output_format is OutputFormat.VTT and ci.enable_speaker_id is True
    assert ci.require_source is False and ci.object_type == "KalturaVendorTranslationCatalogItem"
    assert ci.extra["vendorData"] == "xyz"
    p = task.reach_profile
    assert p.flavor_params_ids == [999, 303, 301]
    assert p.processing_region is ProcessingRegion.EU
    assert p.content_deletion_policy is ContentDeletionPolicy.DELETE_ONCE_PROCESSED
    assert p.enable_metadata_extraction and p.enable_audio_tags and p.enable_profanity_removal
    assert not p.enable_speaker_change_indication and p.max_characters_per_caption_line == 32
    assert p.default_output_format is OutputFormat.DFXP
    assert "bonjour" in task.dictionary_terms


def test_unknown_enum_values_and_missing_profile_are_kept_not_fatal():
    xml = (
        "<result><objectType>KalturaEntryVendorTask</objectType><id>7</id><partnerId>1</partnerId>"
        "<entryId>0_x</entryId><status>42</status><serviceFeature>99</serviceFeature><serviceType>1</serviceType>"
        "<turnAroundTime>1800</turnAroundTime></result>"
    )
    task = task_from(_parse(xml))
    assert task.status.value == 42 and task.status.name == "UNKNOWN_42"
    assert task.service_feature.value == 99
    assert task.catalog_item is None and task.reach_profile is None


def test_dict_round_trip_keeps_everything():
    task = task_from(_parse(TASK_XML))
    again = task_from_dict(task_to_dict(task))
    assert again == task
    assert again.reach_profile.processing_region is ProcessingRegion.EU


def test_flavor_params_ids_parsing():
    assert parse_flavor_params_ids("1, 3,5") == [1, 3, 5]
    assert parse_flavor_params_ids("") == [] and parse_flavor_params_ids(None) == []
    assert parse_flavor_params_ids("5,x,5,2") == [5, 2]
