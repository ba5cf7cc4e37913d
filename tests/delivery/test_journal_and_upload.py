"""The delivery journal and the chunked uploader, against an in-process fake of uploadToken (no server)."""

from __future__ import annotations

import types

import pytest
from KalturaClient.exceptions import KalturaClientException, KalturaException

from reach_studio.domain.delivery_plan import DeliveryError, FileSource
from reach_studio.domain.enums import UploadTokenStatus
from reach_studio.kaltura.chunked_upload import ChunkedUploader, is_transient
from reach_studio.store.delivery_journal import DeliveryJournal


def test_journal_records_steps_and_survives_reopen(tmp_path):
    path = tmp_path / "j.sqlite3"
    with DeliveryJournal(path) as j:
        j.begin_run(5, "abc", "plan text")
        j.mark_started(5, "abc", "caption.add")
        assert j.started_not_done(5, "abc") == {"caption.add"}
        j.record(5, "abc", "caption.add", {"id": "0_cap"})
        j.mark_started(5, "abc", "caption.upload")
        j.set_upload_token(5, "abc", "caption.upload", "0_tok", 10, "fp1")
    with DeliveryJournal(path) as j:
        assert j.completed(5, "abc") == {"caption.add": {"id": "0_cap"}}
        assert j.started_not_done(5, "abc") == {"caption.upload"}
        assert j.upload_token(5, "abc", "caption.upload", "fp1") == "0_tok"
        assert j.upload_token(5, "abc", "caption.upload", "other-content") is None
        assert j.completed(5, "other") == {}
        assert not j.has_other_runs(5, "abc")
        j.begin_run(5, "def")
        assert j.has_other_runs(5, "abc")
        j.finish_run(5, "abc", "failed", "boom")
        assert j.run(5, "abc").status == "failed" and j.run(5, "abc").error == "boom"
        j.mark_started(5, "abc", "caption.add")  # a done step stays done
        assert j.completed(5, "abc")["caption.add"] == {"id": "0_cap"}


class FakeUploadService:
    """uploadToken add/get/upload with Kaltura's resume semantics and injectable failures."""

    def __init__(self):
        self.tokens: dict[str, dict] = {}
        self.bytes_received = 0
        self.calls: list[tuple] = []
        self.fail_plan: list[str] = []  # per upload call: "ok", "drop_before", "drop_after"

    def _obj(self, t):
        return types.SimpleNamespace(
            id=t["id"], status=t["status"], uploadedFileSize=float(len(t["data"])), fileSize=t["size"]
        )

    def add(self, token):
        tid = f"0_tok{len(self.tokens) + 1}"
        self.tokens[tid] = {"id": tid, "status": 0, "data": bytearray(), "size": token.fileSize}
        return self._obj(self.tokens[tid])

    def get(self, tid):
        if tid not in self.tokens:
            raise KalturaException("Upload token not found", "UPLOAD_TOKEN_NOT_FOUND")
        return self._obj(self.tokens[tid])

    def upload(self, tid, fh, resume, final, resume_at):
        mode = self.fail_plan.pop(0) if self.fail_plan else "ok"
        data = fh.read()
        self.calls.append((resume, final, resume_at, len(data), mode))
        if mode == "drop_before":
            raise KalturaClientException("Connection aborted", KalturaClientException.ERROR_CONNECTION_FAILED)
        t = self.tokens[tid]
        if t["status"] not in (0, 1):
            raise KalturaException("bad status", "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
        at = int(resume_at) if resume else 0
        if at > len(t["data"]):
            raise KalturaException("resumeAt beyond", "UPLOAD_ERROR")
        t["data"][at:] = data
        self.bytes_received += len(data)
        t["status"] = 2 if final else 1
        if mode == "drop_after":
            raise KalturaClientException("Read timed out", KalturaClientException.ERROR_CONNECTION_FAILED)
        return self._obj(t)


def _uploader(fake, **kw):
    client = types.SimpleNamespace(uploadToken=fake)
    return ChunkedUploader(lambda fn: fn(client), sleep=lambda s: None, **kw)


def test_upload_in_chunks_reports_progress_and_journals_token_first():
    fake = FakeUploadService()
    data = bytes(range(256)) * 4000  # 1,024,000 bytes
    seen_tokens, progress = [], []
    result = _uploader(fake, chunk_size=300_000).upload(
        FileSource.from_bytes("a.mp4", data),
        on_token=seen_tokens.append,
        progress=lambda d, t: progress.append(d),
    )
    assert bytes(fake.tokens[result.token_id]["data"]) == data
    assert seen_tokens == [result.token_id]
    assert result.chunks == 4 and result.status == UploadTokenStatus.FULL_UPLOAD
    assert [c[:3] for c in fake.calls] == [
        (False, False, -1),
        (True, False, 300000.0),
        (True, False, 600000.0),
        (True, True, 900000.0),
    ]
    assert progress[-1] == len(data)


def test_dropped_connections_resume_from_server_size_not_from_zero():
    fake = FakeUploadService()
    data = b"x" * 1_000_000
    fake.fail_plan = ["ok", "drop_after", "ok", "drop_before", "ok", "ok", "ok"]
    result = _uploader(fake, chunk_size=250_000).upload(FileSource.from_bytes("a.mp4", data))
    assert bytes(fake.tokens[result.token_id]["data"]) == data
    # Lost answers are re-read from uploadedFileSize: the chunk that did arrive is not sent again.
    assert fake.bytes_received == len(data)


def test_restarted_process_continues_the_same_token(tmp_path):
    fake = FakeUploadService()
    data = b"y" * 900_000
    f = tmp_path / "v.mp4"
    f.write_bytes(data)
    source = FileSource.from_path(f)
    fake.fail_plan = ["ok", "drop_before", "drop_before", "drop_before"]
    with pytest.raises(DeliveryError) as info:
        _uploader(fake, chunk_size=300_000, max_failures=2).upload(source)
    assert info.value.retryable
    (token_id,) = fake.tokens
    assert len(fake.tokens[token_id]["data"]) == 300_000
    result = _uploader(fake, chunk_size=300_000).upload(source, token_id=token_id)
    assert result.token_id == token_id and result.resumed_from == 300_000
    assert bytes(fake.tokens[token_id]["data"]) == data
    assert fake.bytes_received == len(data)


def test_finished_or_dead_tokens():
    fake = FakeUploadService()
    data = b"z" * 1000
    first = _uploader(fake).upload(FileSource.from_bytes("c.srt", data))
    again = _uploader(fake).upload(FileSource.from_bytes("c.srt", data), token_id=first.token_id)
    assert again.token_id == first.token_id and again.chunks == 0
    fresh = _uploader(fake).upload(FileSource.from_bytes("c.srt", data), token_id="0_gone")
    assert fresh.token_id != "0_gone" and bytes(fake.tokens[fresh.token_id]["data"]) == data


def test_a_final_chunk_the_server_did_not_finish_with_is_not_reported_done():
    """Kaltura attaches an upload token that is not FULL_UPLOAD without complaint (the asset then waits for the
    upload forever), so the uploader reports a finished upload only when the server says FULL_UPLOAD."""

    class KeepsTheFirstFinalAside(FakeUploadService):
        kept = False

        def upload(self, tid, fh, resume, final, resume_at):
            if final and not self.kept:  # answered PARTIAL_UPLOAD, bytes not taken
                self.kept = True
                fh.read()
                t = self.tokens[tid]
                t["status"] = 1
                return self._obj(t)
            return super().upload(tid, fh, resume, final, resume_at)

    fake = KeepsTheFirstFinalAside()
    data = b"q" * 500_000
    result = _uploader(fake, chunk_size=250_000).upload(FileSource.from_bytes("a.mp4", data))
    assert result.status == UploadTokenStatus.FULL_UPLOAD
    assert fake.tokens[result.token_id]["status"] == 2 and bytes(fake.tokens[result.token_id]["data"]) == data

    class NeverFinishes(FakeUploadService):
        def upload(self, tid, fh, resume, final, resume_at):
            out = super().upload(tid, fh, resume, final, resume_at)
            self.tokens[tid]["status"] = 1
            out.status = 1
            return out

    with pytest.raises(DeliveryError, match="did not finish") as info:
        _uploader(NeverFinishes(), max_failures=2).upload(FileSource.from_bytes("b.srt", b"abc"))
    assert info.value.retryable


def test_empty_file_and_permanent_errors():
    fake = FakeUploadService()
    result = _uploader(fake).upload(FileSource.from_bytes("empty.txt", b""))
    assert fake.tokens[result.token_id]["status"] == 2

    class Refusing(FakeUploadService):
        def upload(self, *a):
            raise KalturaException("Upload failed: disk full", "UPLOAD_ERROR")

    with pytest.raises(DeliveryError, match="disk full") as info:
        _uploader(Refusing()).upload(FileSource.from_bytes("c.srt", b"abc"))
    assert not info.value.retryable


def test_transient_classification():
    assert is_transient(KalturaClientException("x", KalturaClientException.ERROR_CONNECTION_FAILED))
    assert not is_transient(KalturaException("no", "ENTRY_ID_NOT_FOUND"))
    assert is_transient(DeliveryError("x", retryable=True))
    err = Exception("x")
    err.transient = True
    assert is_transient(err)


def test_chunk_size_adapts_to_speed_within_bounds():
    from reach_studio.kaltura.chunked_upload import MAX_CHUNK, MIN_CHUNK, _next_chunk

    mib = 1024 * 1024
    assert _next_chunk(8 * mib, 8 * mib, 0.5) == 32 * mib  # fast link: grow (at most 4x per step)
    assert _next_chunk(8 * mib, 8 * mib, 8.0) == 4 * mib  # slow link: shrink (at most halve per step)
    assert _next_chunk(MAX_CHUNK, MAX_CHUNK, 0.01) == MAX_CHUNK
    assert _next_chunk(MIN_CHUNK, MIN_CHUNK, 60.0) == MIN_CHUNK
    assert _next_chunk(8 * mib, 1000, 5.0) == 8 * mib  # a short last chunk says nothing about speed


def test_one_delivery_per_task_at_a_time(tmp_path):
    import subprocess
    import sys
    import threading

    journal = DeliveryJournal(tmp_path / "lease.sqlite3")
    assert journal.acquire(9)
    assert journal.acquire(9)  # the holder may take it again
    results = []
    other = threading.Thread(target=lambda: results.append(journal.acquire(9)))
    other.start()
    other.join()
    assert results == [False]  # another live thread is refused
    journal.release(9)
    holder = threading.Thread(target=lambda: results.append(journal.acquire(10)))
    holder.start()
    holder.join()  # it ended without releasing: a dead holder
    assert journal.acquire(10)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with journal._db:
            journal._db.execute("UPDATE delivery_lease SET pid=?, thread=1 WHERE task_id=10", (proc.pid,))
        assert not journal.acquire(10)  # a live process holds it
    finally:
        proc.kill()
        proc.wait()
    assert journal.acquire(10)  # and once it died, the lease is taken over
