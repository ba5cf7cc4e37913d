"""Progressive downloads survive server errors and dropped connections, and resume without refetching bytes."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media.errors import MediaError
from reach_studio.media.http_fetch import download, part_path

from .faulty_server import FaultyServer

SIZE = 3_000_000


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    data = os.urandom(SIZE)
    (root / "movie.mp4").write_bytes(data)
    with FaultyServer(root) as server:
        yield server, data


def test_download_writes_the_file_and_reports_bytes(served, tmp_path):
    server, data = served
    seen = []
    dest = tmp_path / "out" / "movie.mp4"
    result = download(server.url("movie.mp4"), dest, progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == data
    assert result.size == SIZE and result.bytes_downloaded == SIZE and result.resumed_from == 0
    assert seen[-1] == (SIZE, SIZE)
    assert not part_path(dest).exists()


def test_server_errors_are_retried(served, tmp_path):
    server, data = served
    server.fail_next["/movie.mp4"] = 2
    dest = tmp_path / "movie.mp4"
    download(server.url("movie.mp4"), dest)
    assert dest.read_bytes() == data
    assert len(server.requests_for("movie.mp4")) == 3


def test_dropped_connection_resumes_where_it_stopped(served, tmp_path):
    server, data = served
    server.drop_after["/movie.mp4"] = 1_000_000
    dest = tmp_path / "movie.mp4"
    result = download(server.url("movie.mp4"), dest)
    assert dest.read_bytes() == data
    ranges = server.requests_for("movie.mp4")
    assert ranges[0] is None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 1_000_000
    assert result.bytes_downloaded == SIZE  # nothing fetched twice


def test_cancelled_download_resumes_later_without_refetching(served, tmp_path):
    server, data = served
    dest = tmp_path / "movie.mp4"
    token = CancelToken()

    def cancel_midway(done: int, total: int) -> None:
        if done > SIZE // 3:
            token.cancel()

    with pytest.raises(Cancelled):
        download(server.url("movie.mp4"), dest, progress=cancel_midway, token=token)
    assert not dest.exists()
    kept = part_path(dest).stat().st_size
    assert kept > SIZE // 3
    result = download(server.url("movie.mp4"), dest)
    assert dest.read_bytes() == data
    assert server.requests_for("movie.mp4")[-1] == f"bytes={kept}-"
    assert result.resumed_from == kept and result.bytes_downloaded == SIZE - kept


def test_changed_file_on_the_server_restarts_from_zero(served, tmp_path):
    server, data = served
    dest = tmp_path / "movie.mp4"
    part_path(dest).write_bytes(b"bytes of an older version" * 1000)
    dest.with_name(dest.name + ".part.json").write_text(json.dumps({"validator": '"old-etag"'}))
    result = download(server.url("movie.mp4"), dest)
    assert dest.read_bytes() == data
    assert result.bytes_downloaded == SIZE


def test_part_that_is_already_complete_is_just_renamed(served, tmp_path):
    server, data = served
    dest = tmp_path / "movie.mp4"
    part_path(dest).write_bytes(data)
    result = download(server.url("movie.mp4"), dest)
    assert dest.read_bytes() == data and result.bytes_downloaded == 0


def test_refused_download_fails_at_once(served, tmp_path):
    server, _ = served
    with pytest.raises(MediaError, match="404"):
        download(server.url("missing.mp4"), tmp_path / "x.mp4")
    assert len(server.requests_for("missing.mp4")) == 1
    assert not (tmp_path / "x.mp4").exists()


def test_persistent_server_errors_give_up_with_a_clear_message(served, tmp_path):
    server, _ = served
    server.fail_next["/movie.mp4"] = 100
    with pytest.raises(MediaError, match="after 3 attempts.*HTTP 500"):
        download(server.url("movie.mp4"), tmp_path / "x.mp4", retries=2)


def test_wrong_range_answer_is_refused(served, tmp_path):
    server, _ = served
    server.routes["/odd.mp4"] = (206, b"x" * 10, {"Content-Range": "bytes 0-9/100"})
    dest = tmp_path / "odd.mp4"
    part_path(dest).write_bytes(b"y" * 50)
    with pytest.raises(MediaError, match="wrong range"):
        download(server.url("odd.mp4"), dest)


def test_only_http_urls_are_accepted(tmp_path):
    with pytest.raises(MediaError, match="only http and https"):
        download("file:///etc/passwd", tmp_path / "x")


def test_ks_in_the_url_never_reaches_the_error(served, tmp_path):
    server, _ = served
    with pytest.raises(MediaError) as err:
        download(server.url("p/1/ks/SECRETKS/missing.mp4?ks=SECRET2"), tmp_path / "x")
    assert "SECRET" not in str(err.value)


def test_cancel_is_honoured_while_the_server_stalls(served, tmp_path):
    server, _ = served
    server.stall["/movie.mp4"] = 20
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        download(server.url("movie.mp4"), tmp_path / "x.mp4", token=token)
    assert time.monotonic() - t0 < 3


def test_cancel_is_honoured_while_the_body_trickles(served, tmp_path):
    server, _ = served
    server.trickle["/movie.mp4"] = 0.5  # seconds between 64 kB pieces
    token = CancelToken()
    got = threading.Event()

    def on_progress(done: int, total: int) -> None:
        if done:
            got.set()
            threading.Timer(0.2, token.cancel).start()

    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        download(server.url("movie.mp4"), tmp_path / "x.mp4", token=token, progress=on_progress)
    assert got.is_set() and time.monotonic() - t0 < 5


def test_size_limit_stops_a_runaway_download(served, tmp_path):
    server, _ = served
    with pytest.raises(MediaError, match="allowed 1000"):
        download(server.url("movie.mp4"), tmp_path / "x.mp4", max_bytes=1000)
    assert not (tmp_path / "x.mp4").exists()
