"""Caption, attachment (transcript), flavor and entry calls through the official client, with Kaltura's refusals."""

from __future__ import annotations

import http.server
import logging
import threading
import time

import pytest
import requests
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Attachment import KalturaAttachmentAssetFilter
from KalturaClient.Plugins.Caption import KalturaCaptionAsset, KalturaCaptionAssetFilter
from KalturaClient.Plugins.Core import (
    KalturaBaseEntry,
    KalturaFlavorAsset,
    KalturaFlavorAssetFilter,
    KalturaMediaEntry,
    KalturaMultiLingualString,
    KalturaString,
    KalturaStringResource,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
    KalturaUrlResource,
)
from KalturaClient.Plugins.Transcript import KalturaTranscriptAsset

from .entry_setup import access_key, bare_entry, key_client, media_entry

SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola\n"


def _wait(get, done, timeout=20.0):
    """Poll like a client does until done(obj) is true; returns the last object."""
    deadline = time.monotonic() + timeout
    obj = get()
    while not done(obj) and time.monotonic() < deadline:
        time.sleep(0.1)
        obj = get()
    return obj


def _upload_file(client, tmp_path, path_or_bytes, name="file.bin"):
    if isinstance(path_or_bytes, bytes):
        path = tmp_path / name
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    token = client.uploadToken.add(KalturaUploadToken(fileName=path.name))
    with open(path, "rb") as fh:
        client.uploadToken.upload(token.id, fh)
    return KalturaUploadedFileTokenResource(token=token.id)


# ---- captions ----------------------------------------------------------------------------------------
def test_caption_lifecycle_as_the_vendor_guide_describes(emulator):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    caption = client.caption.captionAsset.add(
        entry["id"],
        KalturaCaptionAsset(
            language="English",
            format="1",
            fileExt="srt",
            accuracy=99,
            isDefault=1,
            displayOnPlayer=True,
            label="English",
        ),
    )
    assert caption.entryId == entry["id"]
    assert caption.status.getValue() == 0  # QUEUED until content arrives
    assert caption.language.getValue() == "English"
    assert caption.languageCode.getValue() == "en"

    ready = client.caption.captionAsset.setContent(caption.id, KalturaStringResource(content=SRT))
    assert ready.status.getValue() == 2
    assert ready.size == len(SRT.encode())
    got = client.caption.captionAsset.get(caption.id)
    assert (got.accuracy, got.isDefault.getValue(), got.displayOnPlayer, got.label) == (
        99,
        1,
        True,
        "English",
    )

    url = client.caption.captionAsset.getUrl(caption.id)
    served = requests.get(url, timeout=10)
    assert served.status_code == 200
    assert served.text == SRT
    assert emulator.inspect.content(caption.id) == SRT.encode()

    # the client's serve() builds a GET URL with the KS in the query; it serves the same bytes
    assert requests.get(client.caption.captionAsset.serve(caption.id), timeout=10).text == SRT

    updated = client.caption.captionAsset.update(
        caption.id, KalturaCaptionAsset(associatedTranscriptIds="0_t1,0_t2", label="English (human)")
    )
    assert updated.associatedTranscriptIds == "0_t1,0_t2"
    assert updated.label == "English (human)"
    assert updated.accuracy == 99  # fields not sent stay as they were

    listed = client.caption.captionAsset.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"]))
    assert [c.id for c in listed.objects] == [caption.id]
    client.caption.captionAsset.delete(caption.id)
    assert (
        client.caption.captionAsset.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"])).totalCount == 0
    )
    with pytest.raises(KalturaException) as exc:
        client.caption.captionAsset.get(caption.id)
    assert exc.value.code == "CAPTION_ASSET_ID_NOT_FOUND"


def test_a_new_default_caption_takes_the_flag_from_the_others(emulator):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    source = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", isDefault=1)
    )
    translation = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="Spanish", isDefault=0)
    )
    assert client.caption.captionAsset.get(source.id).isDefault.getValue() == 1
    client.caption.captionAsset.update(translation.id, KalturaCaptionAsset(isDefault=1))
    assert client.caption.captionAsset.get(source.id).isDefault.getValue() == 0
    assert client.caption.captionAsset.get(translation.id).isDefault.getValue() == 1
    third = client.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="French", isDefault=1))
    defaults = [
        c.id
        for c in client.caption.captionAsset.list(KalturaCaptionAssetFilter(entryIdEqual=entry["id"])).objects
        if c.isDefault.getValue() == 1
    ]
    assert defaults == [third.id]


def test_caption_refusals(emulator):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    with pytest.raises(KalturaException) as exc:  # a code, not a KalturaLanguage name
        client.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="en"))
    assert exc.value.code == "INVALID_ENUM_VALUE"
    assert exc.value.message.startswith('Invalid enumeration value "en"')
    with pytest.raises(KalturaException) as exc:
        client.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="English", format="9"))
    assert exc.value.code == "INVALID_ENUM_VALUE"
    # KalturaCaptionAsset.accuracy has no declared range: Kaltura takes 101 (tests/contract/test_assets.py)
    assert (
        client.caption.captionAsset.add(
            entry["id"], KalturaCaptionAsset(language="English", accuracy=101)
        ).accuracy
        == 101
    )
    with pytest.raises(KalturaException) as exc:
        client.caption.captionAsset.add(None, KalturaCaptionAsset(language="English"))
    assert exc.value.code == "MISSING_MANDATORY_PARAMETER"

    caption = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", format="1")
    )
    with pytest.raises(KalturaException) as exc:  # format is insert-only
        client.caption.captionAsset.update(caption.id, KalturaCaptionAsset(format="3"))
    assert exc.value.code == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    assert "KalturaCaptionAsset::format" in exc.value.message
    with pytest.raises(KalturaException) as exc:  # no content yet, so no URL
        client.caption.captionAsset.getUrl(caption.id)
    assert exc.value.code == "CAPTION_ASSET_IS_NOT_READY"


def test_an_access_key_only_changes_its_own_entry(emulator):
    """Kaltura's asset services filter get/list by partner only; a change on an entry the key may not edit is
    refused before the service runs (KalturaDispatcher::validateUser: INVALID_KS) (docs/kaltura-contract.md,
    "Assets and cue points")."""
    mine, other = bare_entry(emulator), bare_entry(emulator)
    client = key_client(emulator, mine)
    stranger = client.caption.captionAsset.add(
        mine["id"], KalturaCaptionAsset(language="English", format="1")
    )
    client.caption.captionAsset.setContent(stranger.id, KalturaStringResource(content=SRT))
    other_client = key_client(emulator, other)
    with pytest.raises(KalturaException) as exc:
        other_client.caption.captionAsset.add(mine["id"], KalturaCaptionAsset(language="English"))
    assert exc.value.code == "INVALID_KS"
    assert other_client.caption.captionAsset.get(stranger.id).id == stranger.id
    with pytest.raises(KalturaException) as exc:
        other_client.caption.captionAsset.setContent(stranger.id, KalturaStringResource(content="x"))
    assert exc.value.code == "INVALID_KS"
    assert "INVALID_TYPE" in exc.value.message
    assert (
        other_client.caption.captionAsset.list(KalturaCaptionAssetFilter(entryIdEqual=mine["id"])).totalCount
        == 1
    )
    # the content URL needs a KS that reaches the entry
    url = client.caption.captionAsset.getUrl(stranger.id)
    assert requests.get(url, timeout=10).status_code == 200
    other_ks = access_key(emulator, other)
    mine_ks = url.split("/ks/")[1].split("/")[0]
    assert requests.get(url.replace(mine_ks, other_ks), timeout=10).status_code == 403
    assert requests.get(url.replace(mine_ks, "notaks"), timeout=10).status_code == 403
    # and the vendor's own KS does not reach customer entries at all
    vendor = emulator.store.get("partner", emulator.info["vendorPartnerId"])
    from reach_studio.emulator.services.session import sign

    from .clients import new_client

    vendor_client = new_client(emulator, sign(vendor, 2, "", 3600, ""))
    with pytest.raises(KalturaException) as exc:
        vendor_client.caption.captionAsset.get(stranger.id)
    assert exc.value.code == "CAPTION_ASSET_ID_NOT_FOUND"


class _Deliverables(http.server.BaseHTTPRequestHandler):
    """A vendor's file server: /ok.vtt needs the bearer token, anything else is 404."""

    def do_GET(self):
        if self.path == "/ok.vtt" and self.headers.get("Authorization") == "Bearer s3cret":
            body = VTT.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def deliverables():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Deliverables)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_resource_is_imported_with_headers_then_ready_or_error(emulator, deliverables, caplog):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    good = client.caption.captionAsset.add(entry["id"], KalturaCaptionAsset(language="Spanish", format="3"))
    resource = KalturaUrlResource(
        url=f"{deliverables}/ok.vtt", urlHeaders=[KalturaString(value="Authorization: Bearer s3cret")]
    )
    started = client.caption.captionAsset.setContent(good.id, resource)
    assert started.status.getValue() in (7, 2)  # IMPORTING, unless the download already finished
    done = _wait(lambda: client.caption.captionAsset.get(good.id), lambda a: a.status.getValue() in (2, -1))
    assert done.status.getValue() == 2
    assert emulator.inspect.content(good.id) == VTT.encode()

    unauthorised = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="French", format="3")
    )
    client.caption.captionAsset.setContent(unauthorised.id, KalturaUrlResource(url=f"{deliverables}/ok.vtt"))
    failed = _wait(
        lambda: client.caption.captionAsset.get(unauthorised.id), lambda a: a.status.getValue() in (2, -1)
    )
    assert failed.status.getValue() == -1  # ERROR: the server answered 404 without the header

    # a download that cannot connect ends in ERROR too; a signed URL's query never reaches the record or logs
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="German", format="3")
    )
    caplog.set_level(logging.DEBUG, logger="reach_studio")
    client.caption.captionAsset.setContent(
        unreachable.id, KalturaUrlResource(url=f"http://127.0.0.1:{closed_port}/x.vtt?sig=topsecret")
    )
    gone = _wait(
        lambda: client.caption.captionAsset.get(unreachable.id), lambda a: a.status.getValue() in (2, -1)
    )
    assert gone.status.getValue() == -1
    recorded = emulator.inspect.objects("caption_asset", id=unreachable.id)[0]
    assert recorded["_error"] and "topsecret" not in recorded["_error"]
    assert "topsecret" not in caplog.text

    with pytest.raises(KalturaException) as exc:  # local files are not a URL the server fetches
        client.caption.captionAsset.setContent(good.id, KalturaUrlResource(url="file:///etc/passwd"))
    assert exc.value.code == "INVALID_URL"


# ---- attachments / transcripts -------------------------------------------------------------------------
def test_transcript_attachment_with_upload_token(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    transcript = client.attachment.attachmentAsset.add(
        entry["id"],
        KalturaTranscriptAsset(
            language="English",
            accuracy=0.97,
            humanVerified=1,
            format="1",
            fileExt="txt",
            filename="transcript.txt",
            title="Transcript",
        ),
    )
    assert type(transcript).__name__ == "KalturaTranscriptAsset"
    assert transcript.status.getValue() == 0
    text = b"Hello there. Bye.\n"
    client.attachment.attachmentAsset.setContent(transcript.id, _upload_file(client, tmp_path, text, "t.txt"))
    got = client.attachment.attachmentAsset.get(transcript.id)
    assert type(got).__name__ == "KalturaTranscriptAsset"
    assert (got.status.getValue(), got.accuracy, got.humanVerified.getValue(), got.language.getValue()) == (
        2,
        0.97,
        1,
        "English",
    )
    assert got.size == len(text)
    assert emulator.inspect.content(transcript.id) == text
    assert requests.get(client.attachment.attachmentAsset.getUrl(transcript.id), timeout=10).content == text
    assert requests.get(client.attachment.attachmentAsset.serve(transcript.id), timeout=10).content == text
    other_serve = key_client(emulator, bare_entry(emulator)).attachment.attachmentAsset.serve(transcript.id)
    assert requests.get(other_serve, timeout=10).status_code == 403
    listed = client.attachment.attachmentAsset.list(KalturaAttachmentAssetFilter(entryIdEqual=entry["id"]))
    assert [a.id for a in listed.objects] == [transcript.id]
    with pytest.raises(KalturaException) as exc:
        client.attachment.attachmentAsset.add(entry["id"], KalturaTranscriptAsset(language="Klingon"))
    assert exc.value.code == "INVALID_ENUM_VALUE"
    with pytest.raises(KalturaException) as exc:
        client.attachment.attachmentAsset.get("0_nosuchat")
    assert exc.value.code == "ATTACHMENT_ASSET_ID_NOT_FOUND"


# ---- flavors ---------------------------------------------------------------------------------------------
def test_dubbed_audio_flavor_is_converted_then_ready(emulator, tmp_path):
    entry = media_entry(emulator)
    client = key_client(emulator, entry)
    audio_source = next(
        f for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"]) if f["flavorParamsId"] == 303
    )
    dubbed = client.flavorAsset.add(
        entry["id"],
        KalturaFlavorAsset(
            flavorParamsId=1001, language="Spanish", label="Spanish (dubbed)", isDefault=0, tags="audio_only"
        ),
    )
    assert dubbed.status.getValue() == 0
    from pathlib import Path

    client.flavorAsset.setContent(dubbed.id, _upload_file(client, tmp_path, Path(audio_source["_path"])))
    ready = _wait(lambda: client.flavorAsset.get(dubbed.id), lambda f: f.status.getValue() in (2, -1))
    assert ready.status.getValue() == 2
    assert ready.language.getValue() == "Spanish"
    assert ready.width == 0 and ready.bitrate > 0
    assert ready.containerFormat == "mp4"
    from reach_studio.engine.media_fetch import with_ks

    url = client.flavorAsset.getUrl(dubbed.id)  # serveFlavor without a KS: added as the player does
    assert requests.get(url, timeout=10).status_code == 403
    download = requests.get(with_ks(url, client.getKs()), timeout=10)
    assert download.content == Path(audio_source["_path"]).read_bytes()
    listed = client.flavorAsset.list(KalturaFlavorAssetFilter(entryIdEqual=entry["id"]))
    assert dubbed.id in [f.id for f in listed.objects]
    assert listed.totalCount == 5
    # the delivered track plays back like the others (HLS packaged from the uploaded file)
    from KalturaClient.Plugins.Core import KalturaPlaybackContextOptions

    ctx = client.baseEntry.getPlaybackContext(
        entry["id"], KalturaPlaybackContextOptions(flavorAssetId=dubbed.id)
    )
    hls = next(s for s in ctx.sources if s.format == "applehttp")
    assert hls.flavorIds == dubbed.id
    import av

    with av.open(with_ks(hls.url, client.getKs()), timeout=30) as container:  # URLs carry no KS: add it
        assert sorted({st.type for st in container.streams}) == ["audio"]


def test_flavor_with_content_that_is_not_media_ends_in_error(emulator, tmp_path):
    entry = media_entry(emulator)
    client = key_client(emulator, entry)
    flavor = client.flavorAsset.add(entry["id"], KalturaFlavorAsset(flavorParamsId=1002, language="French"))
    client.flavorAsset.setContent(
        flavor.id, _upload_file(client, tmp_path, b"this is not audio" * 50, "x.mp4")
    )
    failed = _wait(lambda: client.flavorAsset.get(flavor.id), lambda f: f.status.getValue() in (2, -1))
    assert failed.status.getValue() == -1
    with pytest.raises(KalturaException) as exc:
        client.flavorAsset.getUrl(flavor.id)
    assert exc.value.code == "FLAVOR_ASSET_IS_NOT_READY"


# ---- entries ---------------------------------------------------------------------------------------------
def test_media_add_and_add_content_becomes_ready_with_a_source_flavor(emulator, tmp_path):
    parent = media_entry(emulator)
    client = key_client(emulator, parent)
    from pathlib import Path

    source = next(
        f
        for f in emulator.inspect.objects("flavor_asset", entryId=parent["id"])
        if f["flavorParamsId"] == 301
    )
    child = client.media.add(KalturaMediaEntry(name="Sign language", mediaType=1, parentEntryId=parent["id"]))
    assert child.status.getValue() == "7"  # NO_CONTENT
    assert child.parentEntryId == parent["id"]
    client.media.addContent(child.id, _upload_file(client, tmp_path, Path(source["_path"])))
    ready = _wait(lambda: client.media.get(child.id), lambda e: e.status.getValue() in ("2", "-1"))
    assert ready.status.getValue() == "2"
    assert (ready.width, ready.height) == (320, 180)
    assert 5000 <= ready.msDuration <= 7000
    flavors = client.flavorAsset.list(KalturaFlavorAssetFilter(entryIdEqual=child.id)).objects
    assert [(f.flavorParamsId, f.isOriginal, f.status.getValue()) for f in flavors] == [(0, True, 2)]
    assert emulator.inspect.content(child.id) == Path(source["_path"]).read_bytes()


def test_media_add_with_unreadable_content_ends_in_error(emulator, tmp_path):
    parent = bare_entry(emulator)
    client = key_client(emulator, parent)
    child = client.media.add(KalturaMediaEntry(name="Broken", mediaType=1, parentEntryId=parent["id"]))
    client.media.addContent(child.id, _upload_file(client, tmp_path, b"\0" * 4096, "broken.mp4"))
    done = _wait(lambda: client.media.get(child.id), lambda e: e.status.getValue() in ("2", "-1"))
    assert done.status.getValue() == "-1"  # ERROR_CONVERTING


def test_base_entry_update_of_tags_and_refusals(emulator):
    entry = bare_entry(emulator)
    parent = bare_entry(emulator, name="Parent")
    admin_ks = emulator.store.get("partner", entry["partnerId"])
    from reach_studio.emulator.services.session import sign

    from .clients import new_client

    admin = new_client(emulator, sign(admin_ks, 2, "", 3600, ""))
    updated = admin.baseEntry.update(
        entry["id"],
        KalturaBaseEntry(
            tags="lecture,physics",
            adminTags="reach,captioned",
            parentEntryId=parent["id"],
            multiLingual_tags=[
                KalturaMultiLingualString(language="en", value="lecture"),
                KalturaMultiLingualString(language="es", value="clase"),
            ],
        ),
    )
    assert (updated.tags, updated.adminTags, updated.parentEntryId) == (
        "lecture,physics",
        "reach,captioned",
        parent["id"],
    )
    got = admin.baseEntry.get(entry["id"])
    assert [(t.language, t.value) for t in got.multiLingual_tags] == [("en", "lecture"), ("es", "clase")]
    assert got.name == "Lecture"  # not sent, not changed

    renamed = admin.baseEntry.update(entry["id"], KalturaBaseEntry(name="Lecture 1 (captioned)"))
    assert (renamed.name, renamed.tags) == ("Lecture 1 (captioned)", "lecture,physics")
    # readonly fields (the client never sends them; a raw request can) are refused, not ignored
    raw = requests.post(
        f"{emulator.url}/api_v3/service/baseentry/action/update",
        json={
            "format": "1",
            "ks": admin.getKs(),
            "entryId": entry["id"],
            "baseEntry": {"objectType": "KalturaBaseEntry", "status": "3"},
        },
        timeout=10,
    ).json()
    assert raw["code"] == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    assert admin.baseEntry.get(entry["id"]).status.getValue() == "2"
    with pytest.raises(KalturaException) as exc:  # mediaType is insert-only
        admin.media.update(entry["id"], KalturaMediaEntry(mediaType=5))
    assert exc.value.code == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    with pytest.raises(KalturaException) as exc:
        admin.baseEntry.update(entry["id"], KalturaBaseEntry(parentEntryId="0_nosuchen"))
    assert exc.value.code == "ENTRY_ID_NOT_FOUND"
    with pytest.raises(KalturaException) as exc:  # media.add needs a mediaType
        admin.media.add(KalturaMediaEntry(name="x"))
    assert exc.value.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    # an unrelated task's key cannot touch the entry; the parent's key reaches its child entry
    unrelated = bare_entry(emulator, name="Unrelated")
    with pytest.raises(KalturaException) as exc:
        key_client(emulator, unrelated).baseEntry.update(entry["id"], KalturaBaseEntry(tags="x"))
    assert exc.value.code == "ENTRY_ID_NOT_FOUND"
    assert key_client(emulator, parent).baseEntry.get(entry["id"]).id == entry["id"]


def test_malformed_calls_get_api_exceptions_never_internal_errors(emulator):
    """Random mixes of wrong types, unknown objects and junk values on every action of these services."""
    import random

    entry = bare_entry(emulator)
    ks = access_key(emulator, entry)
    actions = {
        "uploadtoken": ["add", "upload", "get", "list", "delete"],
        "caption_captionasset": [
            "add",
            "setContent",
            "get",
            "getUrl",
            "update",
            "list",
            "delete",
            "setAsDefault",
        ],
        "attachment_attachmentasset": ["add", "setContent", "get", "getUrl", "update", "list", "delete"],
        "flavorasset": ["add", "setContent", "get", "getUrl", "update", "list", "delete"],
        "cuepoint_cuepoint": ["add", "addFromBulk", "get", "list", "update", "delete"],
        "media": ["add", "addContent", "get", "update", "list"],
        "baseentry": ["get", "update", "list", "getPlaybackContext"],
        "schedule_scheduleevent": ["get", "updateLiveFeature"],
    }
    names = [
        "entryId",
        "id",
        "captionAsset",
        "attachmentAsset",
        "flavorAsset",
        "cuePoint",
        "entry",
        "mediaEntry",
        "baseEntry",
        "contentResource",
        "resource",
        "uploadToken",
        "uploadTokenId",
        "filter",
        "pager",
        "captionAssetId",
        "attachmentAssetId",
        "scheduleEventId",
        "scheduledEventId",
        "featureName",
        "liveFeature",
        "contextDataParams",
        "resumeAt",
        "resume",
        "finalChunk",
        "fileData",
    ]
    values = [
        "",
        "abc",
        "-1",
        "True",
        entry["id"],
        [1, 2],
        {"a": {"b": "c"}},
        {"objectType": "Nope"},
        {"objectType": "KalturaCaptionAsset", "language": "English"},
        {"objectType": "KalturaStringResource"},
        {"objectType": "KalturaUploadedFileTokenResource", "token": "x"},
        {"objectType": "KalturaThumbCuePoint", "entryId": entry["id"], "startTime": "soon"},
        {"objectType": "KalturaCaptionAssetFilter", "entryIdEqual": entry["id"], "statusIn": "a,b"},
        {"objectType": "KalturaFilterPager", "pageSize": "-5", "pageIndex": "abc"},
        {"objectType": "KalturaLiveCaptionFeature", "inputDelay": "x"},
        {"objectType": "KalturaMediaEntry", "mediaType": "1", "parentEntryId": "0_nope"},
    ]
    rng = random.Random(7)
    for service, names_of_actions in actions.items():
        for action_name in names_of_actions:
            for _ in range(5):
                params = {"format": "1", "ks": ks}
                for name in rng.sample(names, rng.randint(0, 5)):
                    params[name] = rng.choice(values)
                response = requests.post(
                    f"{emulator.url}/api_v3/service/{service}/action/{action_name}", json=params, timeout=30
                )
                assert response.status_code == 200
                body = response.json()
                if isinstance(body, dict) and body.get("objectType") == "KalturaAPIException":
                    assert body["code"] != "INTERNAL_SERVERL_ERROR", (service, action_name, params)


def test_one_default_flavor_per_entry_as_the_guide_asks_for_dubbing(emulator):
    entry = media_entry(emulator)
    client = key_client(emulator, entry)
    clear_audio = client.flavorAsset.add(
        entry["id"], KalturaFlavorAsset(flavorParamsId=1000, language="English", isDefault=1)
    )
    dubbed = client.flavorAsset.add(
        entry["id"], KalturaFlavorAsset(flavorParamsId=1001, language="German", isDefault=0)
    )
    assert client.flavorAsset.get(clear_audio.id).isDefault.getValue() == 1
    client.flavorAsset.update(dubbed.id, KalturaFlavorAsset(isDefault=1))
    assert client.flavorAsset.get(clear_audio.id).isDefault.getValue() == 0
    with pytest.raises(KalturaException) as exc:  # flavorParamsId is insert-only
        client.flavorAsset.update(dubbed.id, KalturaFlavorAsset(flavorParamsId=301))
    assert exc.value.code == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    defaults = [
        f["id"] for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"]) if f["isDefault"] == 1
    ]
    assert defaults == [dubbed.id]
