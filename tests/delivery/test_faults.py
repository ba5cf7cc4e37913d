"""Deliveries through an unreliable Kaltura: injected 5xx and dropped connections (also mid-chunk) are
survived without duplicates; a permanently failing upload ends the task in ERROR with a description."""

from __future__ import annotations

import pytest

from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryService
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.factories import our_marker as marker
from tests.factories import make_doc


def _service(conn, tmp_path, **kw):
    options = {"backoff": 0.01, "poll_interval": 0.02, **kw}
    return DeliveryService(conn, DeliveryJournal(tmp_path / "journal.sqlite3"), **options)


def _marked(emu, kind, task_id):
    prefix = marker(task_id, "")
    return [o for o in emu.inspect.objects(kind) if str(o.get("partnerData") or "").startswith(prefix)]


@pytest.mark.parametrize("seed", [11, 12])
def test_captions_survive_5xx_and_dropped_connections(emulator, claimed, conn, tmp_path, seed):
    task = claimed(ServiceFeature.CAPTIONS, metadata=True, entry_tags="lecture")
    emulator.faults.configure(error_rate=0.2, drop_rate=0.1, seed=seed)
    out = _service(conn, tmp_path).deliver(
        task, WorkProduct(captions=make_doc(5), transcripts=("txt", "dfxp"), tags=("physics",))
    )
    emulator.faults.reset()
    assert out.ok, out.err_description
    assert sorted(o["partnerData"] for o in _marked(emulator, "caption_asset", task.id)) == [
        marker(task.id, "caption.add")
    ]
    assert sorted(o["partnerData"] for o in _marked(emulator, "attachment_asset", task.id)) == [
        marker(task.id, "transcript.dfxp.add"),
        marker(task.id, "transcript.txt.add"),
    ]
    cap = _marked(emulator, "caption_asset", task.id)[0]
    assert emulator.inspect.content(cap["id"]) == out.plan.step("caption.upload").source.data
    (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
    assert entry["tags"] == "lecture,physics"
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.READY) and t["outputObjectId"] == cap["id"]


def test_chunked_audio_survives_drops_mid_chunk(emulator, claimed, conn, tmp_path, aac_tracks):
    dub, clear = aac_tracks
    task = claimed(
        ServiceFeature.DUBBING, target="Japanese", flavorParamsId=200, clearAudioFlavorParamsId=201
    )
    emulator.faults.configure(error_rate=0.2, drop_rate=0.15, seed=5)
    out = _service(conn, tmp_path, chunk_size=2048).deliver(
        task, WorkProduct(main_audio=dub, clear_audio=clear)
    )
    emulator.faults.reset()
    assert out.ok, out.err_description
    flavors = {f["partnerData"]: f for f in _marked(emulator, "flavor_asset", task.id)}
    assert sorted(flavors) == sorted([marker(task.id, "dub.flavor.add"), marker(task.id, "clear.flavor.add")])
    assert emulator.inspect.content(flavors[marker(task.id, "dub.flavor.add")]["id"]) == dub.read_bytes()
    assert emulator.inspect.content(flavors[marker(task.id, "clear.flavor.add")]["id"]) == clear.read_bytes()
    assert len(emulator.inspect.objects("upload_token", partnerId=task.partner_id)) == 2
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)


class _RefuseUploads:
    """WSGI middleware: every uploadToken.upload gets a 503, everything else passes."""

    def __init__(self, app):
        self.app = app
        self.refused = 0

    def __call__(self, environ, start_response):
        if "/service/uploadtoken/action/upload" in environ.get("PATH_INFO", ""):
            self.refused += 1
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"unavailable"]
        return self.app(environ, start_response)


def test_a_flaky_hour_leaves_the_task_processing_and_the_delivery_resumable(
    emulator, claimed, conn, tmp_path
):
    """Uploads keep failing with 503 past every retry: the task is NOT set to ERROR (final for Kaltura); it
    stays PROCESSING, the linguist is told to deliver again, and the next Deliver resumes and reaches READY."""
    from reach_studio.engine.delivery import DeliveryInterrupted

    task = claimed(ServiceFeature.CAPTIONS)
    server = emulator._server  # the werkzeug server: wrap its app for this test only
    refusing = _RefuseUploads(server.app)
    server.app = refusing
    service = _service(conn, tmp_path, step_retries=2)
    try:
        with pytest.raises(DeliveryInterrupted) as info:
            service.deliver(task, WorkProduct(captions=make_doc(2)))
    finally:
        server.app = refusing.app
    assert refusing.refused > 3  # retried with back-off before giving up
    assert "deliver again" in info.value.message and "://" not in info.value.message
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.PROCESSING) and not t.get("errDescription")
    assert int(TaskStatus.ERROR) not in [h["status"] for h in emulator.inspect.status_history(task.id)]
    out = service.deliver(task, WorkProduct(captions=make_doc(2)))  # the network is back
    assert out.ok, out.err_description
    assert "caption.add" in out.skipped  # resumed, not started over
    assert len(_marked(emulator, "caption_asset", task.id)) == 1


def test_rejected_content_fails_with_a_clear_reason(emulator, claimed, conn, tmp_path):
    """A file Kaltura cannot process (asset status ERROR) is not retried forever: ERROR with the reason."""
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a media file" * 100)
    service = _service(conn, tmp_path, validator=lambda task, product: [])  # skip the local gate on purpose
    out = service.deliver(task, WorkProduct(main_audio=junk, clear_audio=junk))
    assert not out.ok
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.ERROR)
    text = t["errDescription"]
    assert "audio-description track" in text and "rejected" in text  # a sentence the customer understands
    assert "setContent" not in text and "http" not in text.lower() and "Exception" not in text


def test_expired_keys_mid_delivery_are_renewed(emulator, claimed, conn, tmp_path):
    """Every KS (vendor session and the task's access key) expires just before delivery: the connection
    signs in again and extends the access key, and the delivery completes."""
    task = claimed(ServiceFeature.CAPTIONS)
    old_key = task.access_key
    emulator.faults.expire_all_ks()
    out = _service(conn, tmp_path).deliver(task, WorkProduct(captions=make_doc(2)))
    assert out.ok, out.err_description
    assert task.access_key != old_key
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)
    assert len(_marked(emulator, "caption_asset", task.id)) == 1


def test_an_upload_token_that_is_not_finished_when_attaching_is_uploaded_again_not_attached(
    emulator, claimed, conn, tmp_path
):
    """Kaltura attaches a token that is not FULL_UPLOAD without complaint (KalturaUploadedFileTokenResource:
    "not ready") and the caption then waits IMPORTING for good. A token that timed out between the upload and
    setContent is therefore never attached: the file is uploaded again and the one caption becomes READY."""
    from reach_studio.kaltura.delivery_executor import ExecutorHooks

    task = claimed(ServiceFeature.CAPTIONS)
    stale: list[str] = []

    def time_out_the_token(step, outcome):
        if step.key == "caption.upload" and not stale:
            stale.append(outcome["id"])
            emulator.store.update("upload_token", outcome["id"], {"status": 4})  # TIMED_OUT

    out = _service(conn, tmp_path).deliver(
        task, WorkProduct(captions=make_doc(2)), hooks=ExecutorHooks(after_step=time_out_the_token)
    )
    assert out.ok, out.err_description
    (cap,) = _marked(emulator, "caption_asset", task.id)
    assert (
        cap["status"] == 2
        and emulator.inspect.content(cap["id"]) == out.plan.step("caption.upload").source.data
    )
    (token,) = emulator.inspect.objects("upload_token", id=stale[0])
    assert token["status"] == 4 and not token.get("attachedObjectId")  # the stale token was never attached
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)


def test_a_sign_language_upload_not_finished_when_adding_content_is_uploaded_again(
    emulator, claimed, conn, tmp_path, sign_video
):
    """media.addContent, too, takes a token that is not FULL_UPLOAD without a word (the entry then waits IMPORT
    for an upload that never ends: docs/kaltura-contract.md, "Entries"). The app looks first: a token that timed
    out after the upload is never attached, the video is uploaded again and the child entry becomes READY."""
    from reach_studio.kaltura.delivery_executor import ExecutorHooks

    task = claimed(
        ServiceFeature.SIGN_LANGUAGE, source="English", target="English (ASL)", entry_name="Town hall"
    )
    stale: list[str] = []

    def time_out_the_token(step, outcome):
        if step.op == "upload" and not stale:
            stale.append(outcome["id"])
            emulator.store.update("upload_token", outcome["id"], {"status": 4})  # TIMED_OUT

    # a bounded wait for READY: attached, the stale token would leave the entry IMPORT for good
    out = _service(conn, tmp_path, ready_timeout=30).deliver(
        task, WorkProduct(sign_video=sign_video), hooks=ExecutorHooks(after_step=time_out_the_token)
    )
    assert out.ok, out.err_description
    (child,) = _marked(emulator, "entry", task.id)
    assert child["status"] == "2" and emulator.inspect.content(child["id"]) == sign_video.read_bytes()
    (token,) = emulator.inspect.objects("upload_token", id=stale[0])
    assert token["status"] == 4 and not token.get("attachedObjectId")  # the stale token was never attached
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)
