"""One end-to-end delivery per service feature against the emulator, asserting what Kaltura recorded."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import DescriptionCue
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import OutputFormat, ServiceFeature, TaskStatus
from reach_studio.domain.formats import read_captions
from reach_studio.engine.delivery import DeliveryBlocked, DeliveryService
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.factories import our_marker as marker
from tests.factories import make_doc


@pytest.fixture
def service(conn, tmp_path):
    return DeliveryService(conn, DeliveryJournal(tmp_path / "journal.sqlite3"), poll_interval=0.05)


def _one(emu, kind, task_id, step_key, **filters):
    found = [
        o for o in emu.inspect.objects(kind, **filters) if o.get("partnerData") == marker(task_id, step_key)
    ]
    assert len(found) == 1, f"expected exactly one {kind} for {step_key}, got {len(found)}"
    return found[0]


def _assert_ready(emu, task_id, output_id, *, accuracy=None, external="acme-job-1"):
    t = emu.inspect.task(task_id)
    assert t["status"] == int(TaskStatus.READY)
    assert t["outputObjectId"] == output_id
    assert t["externalTaskId"] == external
    if accuracy is not None:
        assert t["accuracy"] == accuracy
    assert [h["status"] for h in emu.inspect.status_history(task_id)][-2:] == [3, 2]


def test_captions_with_transcripts_and_tags(emulator, claimed, service):
    task = claimed(ServiceFeature.CAPTIONS, metadata=True, entry_tags="lecture,Physics")
    doc = make_doc(4, accuracy=99)
    out = service.deliver(
        task, WorkProduct(captions=doc, transcripts=("txt", "dfxp"), tags=("physics", "energy", "Lecture"))
    )
    assert out.ok, out.err_description
    cap = _one(emulator, "caption_asset", task.id, "caption.add", entryId=task.entry_id)
    assert {k: cap[k] for k in ("format", "fileExt", "accuracy", "language", "isDefault", "label")} == {
        "format": "1",
        "fileExt": "srt",
        "accuracy": 99,
        "language": "English",
        "isDefault": 1,
        "label": "English",
    }
    # the profile does not auto-display human captions, so the key moderates: Kaltura hides them until approved
    assert cap["displayOnPlayer"] is False and cap["status"] == 2
    uploaded = emulator.inspect.content(cap["id"])
    assert uploaded == out.plan.step("caption.upload").source.data
    assert [c.text for c in read_captions(uploaded, "srt").cues] == [c.text for c in doc.cues]
    txt = _one(emulator, "attachment_asset", task.id, "transcript.txt.add", entryId=task.entry_id)
    dfxp = _one(emulator, "attachment_asset", task.id, "transcript.dfxp.add", entryId=task.entry_id)
    assert txt["objectType"] == dfxp["objectType"] == "KalturaTranscriptAsset"
    assert txt["fileExt"] == "txt" and dfxp["fileExt"] == "dfxp" and txt["language"] == "English"
    assert txt["accuracy"] == dfxp["accuracy"] == 0.99  # KalturaTranscriptAsset.accuracy is 0..1
    assert b"Line number 4" in emulator.inspect.content(txt["id"])
    assert b"http://www.w3.org/ns/ttml" in emulator.inspect.content(dfxp["id"])
    assert cap["associatedTranscriptIds"] == f"{txt['id']},{dfxp['id']}"
    (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
    assert entry["tags"] == "lecture,Physics,energy"  # appended, no duplicates in any case
    _assert_ready(emulator, task.id, cap["id"], accuracy=99)


def test_translation_is_not_default_and_gets_multilingual_tags(emulator, claimed, service):
    task = claimed(
        ServiceFeature.TRANSLATION,
        source="English",
        target="French",
        metadata=True,
        output_format=int(OutputFormat.VTT),
    )
    emulator.store.update(
        "entry",
        task.entry_id,
        {
            "multiLingual_tags": [
                {"objectType": "KalturaMultiLingualString", "language": "DE", "value": "Physik"},
                {"objectType": "KalturaMultiLingualString", "language": "FR", "value": "énergie"},
            ]
        },
    )
    doc = make_doc(2, accuracy=100, language="French")
    out = service.deliver(task, WorkProduct(captions=doc, tags=("Énergie", "physique")))
    assert out.ok, out.err_description
    cap = _one(emulator, "caption_asset", task.id, "caption.add", entryId=task.entry_id)
    assert (cap["format"], cap["fileExt"], cap["language"], cap["label"], cap["isDefault"]) == (
        "3",
        "vtt",
        "French",
        "French",
        0,
    )
    assert cap["displayOnPlayer"] is False  # moderated key (the profile does not auto-display)
    assert emulator.inspect.content(cap["id"]).startswith(b"WEBVTT")
    (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
    tags = {t["language"]: t["value"] for t in entry["multiLingual_tags"]}
    assert tags == {"DE": "Physik", "FR": "énergie,physique"}  # other languages kept, no duplicate
    _assert_ready(emulator, task.id, cap["id"], accuracy=100)


def test_dubbing_two_audio_flavors_and_dub_caption(emulator, claimed, service, aac_tracks):
    dub, clear = aac_tracks
    task = claimed(
        ServiceFeature.DUBBING,
        source="English",
        target="Japanese",
        flavorParamsId=200,
        clearAudioFlavorParamsId=201,
    )
    out = service.deliver(
        task,
        WorkProduct(
            main_audio=dub, clear_audio=clear, dub_captions=make_doc(2, accuracy=90, language="Japanese")
        ),
    )
    assert out.ok, out.err_description
    dubbed = _one(emulator, "flavor_asset", task.id, "dub.flavor.add", entryId=task.entry_id)
    original = _one(emulator, "flavor_asset", task.id, "clear.flavor.add", entryId=task.entry_id)
    assert (
        dubbed["flavorParamsId"],
        dubbed["isDefault"],
        dubbed["language"],
        dubbed["label"],
        dubbed["fileExt"],
    ) == (200, 0, "Japanese", "Japanese", "mp4")
    assert (original["flavorParamsId"], original["isDefault"], original["language"], original["fileExt"]) == (
        201,
        1,
        "English",
        "mp4",
    )
    assert dubbed["status"] == original["status"] == 2
    assert emulator.inspect.content(dubbed["id"]) == dub.read_bytes()
    assert emulator.inspect.content(original["id"]) == clear.read_bytes()
    cap = _one(emulator, "caption_asset", task.id, "dubCaption.add", entryId=task.entry_id)
    assert (cap["label"], cap["language"], cap["isDefault"], cap["accuracy"]) == (
        "Japanese (Dub translation)",
        "Japanese",
        0,
        90,
    )
    assert cap["displayOnPlayer"] is False  # moderated key (the profile does not auto-display)
    _assert_ready(emulator, task.id, dubbed["id"])


def test_audio_description_track_and_clear_audio(emulator, claimed, service, aac_tracks):
    ad, clear = aac_tracks
    task = claimed(
        ServiceFeature.AUDIO_DESCRIPTION, source="English", flavorParamsId=200, clearAudioFlavorParamsId=201
    )
    out = service.deliver(task, WorkProduct(main_audio=ad, clear_audio=clear))
    assert out.ok, out.err_description
    track = _one(emulator, "flavor_asset", task.id, "ad.flavor.add", entryId=task.entry_id)
    original = _one(emulator, "flavor_asset", task.id, "clear.flavor.add", entryId=task.entry_id)
    assert (track["label"], track["flavorParamsId"], track["isDefault"], track["language"]) == (
        "English - Audio description",
        200,
        0,
        "English",
    )
    assert (original["flavorParamsId"], original["isDefault"]) == (201, 1)
    assert emulator.inspect.content(track["id"]) == ad.read_bytes()
    _assert_ready(emulator, task.id, track["id"])


def test_audio_that_is_not_aac_lc_blocks_delivery_without_touching_the_task(
    emulator, claimed, service, aac_tracks, mp3_track, tmp_path
):
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    wrong = tmp_path / "track.mp4"
    wrong.write_bytes(mp3_track.read_bytes())  # an MP3 stream renamed to .mp4
    with pytest.raises(DeliveryBlocked) as info:
        service.deliver(task, WorkProduct(main_audio=wrong, clear_audio=aac_tracks[1]))
    assert any("main audio" in p for p in info.value.problems)
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    assert emulator.inspect.objects("flavor_asset", entryId=task.entry_id) == [] or all(
        not str(f.get("partnerData") or "").startswith("reach-studio")
        for f in emulator.inspect.objects("flavor_asset", entryId=task.entry_id)
    )


def test_extended_audio_description_caption(emulator, claimed, service):
    task = claimed(ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, source="English")
    cues = (
        DescriptionCue(5000, 10000, "A woman in a yellow shirt sits on a couch."),
        DescriptionCue(12000, 15000, "She opens a letter."),
    )
    out = service.deliver(task, WorkProduct(descriptions=cues))
    assert out.ok, out.err_description
    cap = _one(emulator, "caption_asset", task.id, "ead.add", entryId=task.entry_id)
    assert (cap["label"], cap["language"], cap["isDefault"], cap["format"], cap["usage"], cap["fileExt"]) == (
        "English Extended Audio Description",
        "English",
        0,
        "3",
        "1",
        "vtt",
    )
    assert cap["displayOnPlayer"] in (False, 0)
    body = emulator.inspect.content(cap["id"]).decode()
    assert body.startswith("WEBVTT") and "00:00:05.000 --> 00:00:10.000" in body and "yellow shirt" in body
    _assert_ready(emulator, task.id, cap["id"])


@pytest.fixture
def vendor_server(aac_tracks):
    """The vendor's own file server: serves the AD track only with the right bearer token."""
    import http.server
    import threading

    body = aac_tracks[0].read_bytes()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != "Bearer s3cr3t-vendor-token":
                self.send_response(401)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/deliverables/ad.mp4", seen, body
    server.shutdown()


def test_url_resource_kaltura_pulls_with_auth_headers(emulator, claimed, service, aac_tracks, vendor_server):
    from reach_studio.domain.delivery_plan import UrlSource

    url, seen, body = vendor_server
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    source = UrlSource(url, ("Authorization: Bearer s3cr3t-vendor-token",))
    out = service.deliver(task, WorkProduct(main_audio=source, clear_audio=aac_tracks[1]))
    assert out.ok, out.err_description
    assert "ad.flavor.upload" not in out.plan.keys
    track = _one(emulator, "flavor_asset", task.id, "ad.flavor.add", entryId=task.entry_id)
    assert emulator.inspect.content(track["id"]) == body
    assert seen == ["Bearer s3cr3t-vendor-token"]
    assert "s3cr3t" not in out.plan.describe()
    _assert_ready(emulator, task.id, track["id"])


def test_url_resource_refused_by_the_vendor_server_ends_in_error(
    emulator, claimed, service, aac_tracks, vendor_server
):
    from reach_studio.domain.delivery_plan import UrlSource

    url, _seen, _body = vendor_server
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    source = UrlSource(url, ("Authorization: Bearer wrong",))
    out = service.deliver(task, WorkProduct(main_audio=source, clear_audio=aac_tracks[1]))
    assert not out.ok
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.ERROR) and "audio-description track" in t["errDescription"]
    assert "wrong" not in t["errDescription"] and "http" not in t["errDescription"].lower()


def test_tags_are_extracted_from_the_captions_when_the_linguist_gave_none(emulator, claimed, service):
    from reach_studio.domain.captions import CaptionDocument, Cue

    task = claimed(ServiceFeature.CAPTIONS, metadata=True, entry_tags="seminar")
    doc = CaptionDocument(
        cues=[
            Cue(0, 3000, "Quantum physics explains how energy levels in atoms are quantised."),
            Cue(3500, 6500, "Energy levels matter for lasers and quantum computers."),
        ],
        language="English",
        accuracy=99,
    )
    out = service.deliver(task, WorkProduct(captions=doc))
    assert out.ok, out.err_description
    (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
    tags = entry["tags"].split(",")
    assert tags[0] == "seminar" and len(tags) > 2
    assert any("energy" in t.lower() for t in tags) and len({t.lower() for t in tags}) == len(tags)


def test_no_secret_reaches_the_journal_or_the_log(
    emulator, claimed, conn, tmp_path, aac_tracks, vendor_server, caplog
):
    import logging

    from reach_studio.domain.delivery_plan import UrlSource

    caplog.set_level(logging.DEBUG)
    url, _seen, _body = vendor_server
    journal_path = tmp_path / "secrets-journal.sqlite3"
    service = DeliveryService(conn, DeliveryJournal(journal_path), poll_interval=0.05)
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    header = "Authorization: Bearer s3cr3t-vendor-token"
    out = service.deliver(task, WorkProduct(main_audio=UrlSource(url, (header,)), clear_audio=aac_tracks[1]))
    assert out.ok, out.err_description
    failing = claimed(ServiceFeature.CAPTIONS)
    emulator.control.abort_task(failing.id)  # the customer aborts while we deliver: an error path for the log
    with pytest.raises(DeliveryBlocked) as refused:  # not ours any more: nothing is touched
        service.deliver(failing, WorkProduct(captions=make_doc(2)))
    assert "aborted" in refused.value.message
    assert emulator.inspect.task(failing.id)["status"] == int(TaskStatus.ABORTED)
    service.journal.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("secrets-journal.sqlite3*"))
    secrets = [
        task.access_key,
        failing.access_key,
        emulator.info["appToken"],
        "s3cr3t-vendor-token",
        conn.vendor_ks(),
    ]
    for secret in secrets:
        assert secret.encode() not in stored
        assert secret not in caplog.text
