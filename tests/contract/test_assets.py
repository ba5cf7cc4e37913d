"""Contract: caption/attachment/flavor assets and cue points as Kaltura's plugins and services rule them
(docs/kaltura-contract.md, "Assets and cue points"), driven with a task's accessKey."""

from __future__ import annotations

import io
import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Attachment import (
    KalturaAttachmentAsset,
    KalturaAttachmentAssetFilter,
    KalturaAttachmentType,
)
from KalturaClient.Plugins.Caption import KalturaCaptionAsset, KalturaCaptionAssetFilter
from KalturaClient.Plugins.CodeCuePoint import KalturaCodeCuePoint
from KalturaClient.Plugins.Core import (
    KalturaAssetFilter,
    KalturaFlavorAsset,
    KalturaStringResource,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
)
from KalturaClient.Plugins.ThumbCuePoint import KalturaThumbCuePoint
from KalturaClient.Plugins.Transcript import KalturaTranscriptAsset

from .kaltura import client, pending_task


def _key_client(emu):
    task = pending_task(emu)
    entry = emu.store.get("entry", task["entryId"])
    return client(emu, task["accessKey"]), entry


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def test_caption_accuracy_takes_any_int(emulator):
    c, entry = _key_client(emulator)
    assert (
        c.caption.captionAsset.add(
            entry["id"], KalturaCaptionAsset(language="English", accuracy=101)
        ).accuracy
        == 101
    )


def test_transcript_accuracy_is_a_float_stored_as_sent(emulator):
    c, entry = _key_client(emulator)
    asset = c.attachment.attachmentAsset.add(
        entry["id"],
        KalturaTranscriptAsset(
            language="English",
            accuracy=0.97,
            format=KalturaAttachmentType.TEXT,
            fileExt="txt",
            filename="t.txt",
        ),
    )
    assert asset.accuracy == pytest.approx(0.97)


def test_caption_get_url_before_content_is_caption_asset_is_not_ready(emulator):
    c, entry = _key_client(emulator)
    asset = c.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="English", format="1"))
    err = _refused(lambda: c.caption.captionAsset.getUrl(asset.id))
    assert err.code == "CAPTION_ASSET_IS_NOT_READY"
    c.caption.captionAsset.setContent(
        asset.id, KalturaStringResource(content="1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    )
    assert c.caption.captionAsset.getUrl(asset.id)


def test_flavor_get_url_before_it_is_ready_is_flavor_asset_is_not_ready(emulator):
    c, entry = _key_client(emulator)
    flavor = c.flavorAsset.add(entry["id"], KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    assert _refused(lambda: c.flavorAsset.getUrl(flavor.id)).code == "FLAVOR_ASSET_IS_NOT_READY"


def test_one_flavor_per_flavor_params_id(emulator):
    c, entry = _key_client(emulator)
    first = c.flavorAsset.add(entry["id"], KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    err = _refused(
        lambda: c.flavorAsset.add(entry["id"], KalturaFlavorAsset(flavorParamsId=1001, language="German"))
    )
    assert err.code == "FLAVOR_ASSET_ALREADY_EXISTS" and first.id in str(err.message)


def test_a_flavor_added_with_flavor_params_gets_the_params_tags(emulator, tmp_path):
    c, entry = _key_client(emulator)
    audio = next(
        f for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"]) if f["flavorParamsId"] == 303
    )
    flavor = c.flavorAsset.add(
        entry["id"], KalturaFlavorAsset(flavorParamsId=1002, language="English", tags="x")
    )
    token = c.uploadToken.add(KalturaUploadToken(fileName="ad.mp4"))
    path = tmp_path / "ad.mp4"
    path.write_bytes(emulator.inspect.content(audio["id"]))
    with open(path, "rb") as fh:
        c.uploadToken.upload(token.id, fh)
    c.flavorAsset.setContent(flavor.id, KalturaUploadedFileTokenResource(token=token.id))
    deadline = time.monotonic() + 60
    while (ready := c.flavorAsset.get(flavor.id)).status.getValue() not in (2, -1):
        assert time.monotonic() < deadline, "the flavor never finished converting"
        time.sleep(0.1)  # polling a status, as a client of Kaltura does
    assert ready.status.getValue() == 2
    assert set(ready.tags.split(",")) >= {"audio_only", "alt_audio", "audio_description"}
    assert ready.label == "English - Audio Description"


def test_cue_point_start_before_zero_or_after_the_entry_is_refused(emulator):
    c, entry = _key_client(emulator)
    length = entry["msDuration"]
    add = c.cuePoint.cuePoint.add
    assert _refused(lambda: add(KalturaThumbCuePoint(entryId=entry["id"], startTime=-1, subType=2))).code == (
        "START_TIME_CANNOT_BE_LESS_THAN_0"
    )
    err = _refused(lambda: add(KalturaThumbCuePoint(entryId=entry["id"], startTime=length + 1, subType=2)))
    assert err.code == "START_TIME_IS_BIGGER_THAN_ENTRY_END_TIME" and str(length) in str(err.message)
    assert add(KalturaThumbCuePoint(entryId=entry["id"], startTime=length, subType=2)).startTime == length


def test_cue_point_end_before_start_or_after_the_entry_is_refused(emulator):
    c, entry = _key_client(emulator)
    length = entry["msDuration"]
    add = c.cuePoint.cuePoint.add
    err = _refused(
        lambda: add(KalturaCodeCuePoint(entryId=entry["id"], startTime=2000, endTime=1000, code="x"))
    )
    assert err.code == "END_TIME_CANNOT_BE_LESS_THAN_START_TIME"
    err = _refused(
        lambda: add(KalturaCodeCuePoint(entryId=entry["id"], startTime=0, endTime=length + 1, code="x"))
    )
    assert err.code == "END_TIME_IS_BIGGER_THAN_ENTRY_END_TIME"


def test_caption_add_on_an_entry_the_key_does_not_reach_is_entry_id_not_found(emulator):
    c, _entry = _key_client(emulator)
    err = _refused(
        lambda: c.caption.captionAsset.add("0_nosuchentry", KalturaCaptionAsset(language="English"))
    )
    assert err.code == "ENTRY_ID_NOT_FOUND"


def test_caption_is_queued_until_set_content_makes_it_ready_and_list_finds_it(emulator):
    c, entry = _key_client(emulator)
    asset = c.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="German", format="1"))
    assert asset.status.getValue() == 0  # QUEUED
    done = c.caption.captionAsset.setContent(
        asset.id, KalturaStringResource(content="1\n00:00:00,000 --> 00:00:01,000\nHallo\n")
    )
    assert done.status.getValue() == 2  # READY
    listed = c.caption.captionAsset.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"]))
    assert asset.id in [a.id for a in listed.objects]


def test_one_caption_per_caption_params_id(emulator):
    c, entry = _key_client(emulator)
    first = c.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", captionParamsId=77)
    )
    err = _refused(
        lambda: c.caption.captionAsset.add(
            entry["id"], KalturaCaptionAsset(language="French", captionParamsId=77)
        )
    )
    assert err.code == "CAPTION_ASSET_ALREADY_EXISTS" and first.id in str(err.message)


def test_attachment_get_url_before_content_is_attachment_asset_is_not_ready(emulator):
    c, entry = _key_client(emulator)
    asset = c.attachment.attachmentAsset.add(entry["id"], KalturaAttachmentAsset(filename="notes.txt"))
    assert (
        _refused(lambda: c.attachment.attachmentAsset.getUrl(asset.id)).code
        == "ATTACHMENT_ASSET_IS_NOT_READY"
    )


def test_a_transcript_asset_keeps_its_type_through_set_content_and_list(emulator):
    c, entry = _key_client(emulator)
    added = c.attachment.attachmentAsset.add(
        entry["id"],
        KalturaTranscriptAsset(
            language="English", accuracy=0.9, format=KalturaAttachmentType.TEXT, filename="t.txt"
        ),
    )
    assert isinstance(added, KalturaTranscriptAsset) and added.status.getValue() == 0  # QUEUED
    done = c.attachment.attachmentAsset.setContent(added.id, KalturaStringResource(content="Hello"))
    assert isinstance(done, KalturaTranscriptAsset) and done.status.getValue() == 2
    listed = c.attachment.attachmentAsset.list(KalturaAttachmentAssetFilter(entryIdEqual=entry["id"]))
    mine = [a for a in listed.objects if a.id == added.id]
    assert mine and isinstance(mine[0], KalturaTranscriptAsset)


def test_set_content_with_an_unfinished_upload_token_waits_for_the_upload(emulator):
    c, entry = _key_client(emulator)
    asset = c.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="English", format="1"))
    token = c.uploadToken.add(KalturaUploadToken(fileName="a.srt"))
    pending = c.caption.captionAsset.setContent(asset.id, KalturaUploadedFileTokenResource(token=token.id))
    assert pending.status.getValue() == 7  # IMPORTING: attachLocalFileResource of a resource not ready
    attached = c.uploadToken.get(token.id)
    assert attached.status.getValue() == 0 and attached.attachedObjectId == asset.id
    assert attached.attachedObjectType == "CaptionAsset"  # get_class() of the core object, not the API class
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nHi\n"
    chunk = io.BytesIO(srt)
    chunk.name = "a.srt"
    c.uploadToken.upload(token.id, chunk, resume=False, finalChunk=True)
    done = c.caption.captionAsset.get(asset.id)
    assert done.status.getValue() == 2 and emulator.inspect.content(asset.id) == srt
    assert c.uploadToken.get(token.id).status.getValue() == 3  # CLOSED by handleUploadFinished


def test_flavor_get_of_an_unknown_id_is_flavor_asset_id_not_found(emulator):
    c, _entry = _key_client(emulator)
    assert _refused(lambda: c.flavorAsset.get("0_nosuchflavor")).code == "FLAVOR_ASSET_ID_NOT_FOUND"


def test_flavor_list_by_entry_lists_its_flavors_and_a_new_one_is_queued(emulator):
    c, entry = _key_client(emulator)
    added = c.flavorAsset.add(entry["id"], KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    assert added.status.getValue() == 0  # QUEUED until content is converted
    listed = c.flavorAsset.list(KalturaAssetFilter(entryIdEqual=entry["id"]))
    ids = {f.id for f in listed.objects}
    assert (
        added.id in ids
        and {f["id"] for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"])} == ids
    )


def test_flavor_get_url_of_a_media_clip_is_a_serve_flavor_url_without_ks(emulator):
    c, entry = _key_client(emulator)
    ready = next(f for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"]) if f["status"] == 2)
    url = c.flavorAsset.getUrl(ready["id"])
    assert "/serveFlavor/" in url and "/fileName/" in url and "/ks/" not in url and "ks=" not in url
    assert f"/flavorId/{ready['id']}/" in url and url.endswith("/name/a.mp4")


def test_of_two_shown_captions_of_one_language_the_more_accurate_new_one_wins(emulator):
    c, entry = _key_client(emulator)
    srt = KalturaStringResource(content="1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    caption = c.caption.captionAsset

    def ready(accuracy: int, default: bool = False):
        asset = caption.add(
            entry["id"],
            KalturaCaptionAsset(
                language="Hebrew", format="1", accuracy=accuracy, isDefault=1 if default else 0
            ),
        )
        caption.setContent(asset.id, srt)
        return asset.id

    machine = ready(80, default=True)
    human = ready(99)
    assert caption.get(machine).displayOnPlayer is False and caption.get(machine).isDefault.getValue() == 0
    assert caption.get(human).displayOnPlayer is True and caption.get(human).isDefault.getValue() == 1
    worse = ready(50)
    assert caption.get(worse).displayOnPlayer is False and caption.get(human).displayOnPlayer is True


def test_an_srt_caption_without_a_cue_ends_in_error(emulator):
    c, entry = _key_client(emulator)
    asset = c.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="English", format="1"))
    done = c.caption.captionAsset.setContent(asset.id, KalturaStringResource(content="no cues here\n"))
    assert done.status.getValue() == -1  # ERROR
    with pytest.raises(KalturaException) as exc:
        c.caption.captionAsset.getUrl(asset.id)
    assert exc.value.code == "CAPTION_ASSET_IS_NOT_READY"


@pytest.mark.parametrize(
    ("fmt", "content", "status"),
    [
        ("1", "1\n00:00:01,000 --> 00:00:02,500\nHello\n", 2),
        ("1", "1\r\n0:0:1.5 --> 0:0:2.5\r\n\r\n", 2),  # one-digit fields, a dot, no text: the regex matches
        ("1", "00:00:01,000 --> 00:00:02,000\nno index line\n", -1),
        ("1", "", -1),
        ("3", "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n", 2),
        ("3", "WEBVTT - a title\n\n00:00:01.000 --> 00:00:02.000 align:start\nHello\n", 2),
        ("3", "WEBVTT\n\n0:00:01.000 --> 0:00:02.000\nHello\n", -1),  # hours need two digits
        ("3", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHello\n", -1),  # header
        ("3", "00:01.000 --> 00:02.000\nHello\n", -1),  # no WEBVTT line
        ("2", '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s">Hi</p></div></body></tt>', 2),
        (
            "2",
            '<tt:tt xmlns:tt="http://www.w3.org/ns/ttml"><tt:body><tt:p begin="1s">Hi</tt:p></tt:body></tt:tt>',
            -1,
        ),
        ("2", '<tt xmlns="http://www.w3.org/ns/ttml"><body><div></div></body></tt>', -1),
        ("2", "<tt><body><p>unclosed", -1),
        ("", "1\n00:00:01,000 --> 00:00:02,500\nHello\n", -1),  # no format: no content manager
    ],
)
def test_a_caption_becoming_ready_is_parsed_by_its_formats_content_manager(emulator, fmt, content, status):
    c, entry = _key_client(emulator)
    fields = {"language": "English"} | ({"format": fmt} if fmt else {})
    asset = c.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(**fields))
    done = c.caption.captionAsset.setContent(asset.id, KalturaStringResource(content=content))
    assert done.status.getValue() == status


def test_set_as_default_makes_one_caption_the_entrys_only_default(emulator):
    c, entry = _key_client(emulator)
    caption = c.caption.captionAsset
    first = caption.add(entry["id"], KalturaCaptionAsset(language="Danish", format="1", isDefault=1))
    second = caption.add(entry["id"], KalturaCaptionAsset(language="Dutch", format="1"))
    caption.setAsDefault(second.id)
    defaults = [
        a.id
        for a in caption.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"])).objects
        if a.isDefault.getValue() == 1
    ]
    assert defaults == [second.id] and first.id not in defaults


def test_a_deleted_caption_is_caption_asset_id_not_found_and_leaves_the_list(emulator):
    c, entry = _key_client(emulator)
    caption = c.caption.captionAsset
    asset = caption.add(entry["id"], KalturaCaptionAsset(language="Finnish", format="1"))
    caption.delete(asset.id)
    assert _refused(lambda: caption.get(asset.id)).code == "CAPTION_ASSET_ID_NOT_FOUND"
    assert asset.id not in [
        a.id for a in caption.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"])).objects
    ]


def test_an_unknown_or_deleted_cue_point_is_invalid_cue_point_id(emulator):
    c, entry = _key_client(emulator)
    cue = c.cuePoint.cuePoint.add(KalturaThumbCuePoint(entryId=entry["id"], startTime=0, subType=2))
    c.cuePoint.cuePoint.delete(cue.id)
    assert _refused(lambda: c.cuePoint.cuePoint.get(cue.id)).code == "INVALID_CUE_POINT_ID"
    assert _refused(lambda: c.cuePoint.cuePoint.delete("0_nosuchcue")).code == "INVALID_CUE_POINT_ID"
