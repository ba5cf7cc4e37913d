"""A hostile or unlucky network against the emulator: a dripping answer, an oversized answer, a cross-host
redirect. Each ends with a clear error or a download that kept the access key at home — never a hang,
a swollen process or a key handed to a stranger."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachError
from reach_studio.key_scope import KeyScope
from tests.engine.conftest import connect, task_on_entry
from tests.sync_args import account_args


def _signed_in(emulator, **kwargs):
    conn = connect(emulator)
    for name, value in kwargs.items():
        setattr(conn, name, value)
    conn.vendor_ks()  # sign in while the network is still kind
    return conn


def test_dripping_answer_is_cut_off_by_the_minimum_rate_and_names_the_call(emulator):
    conn = connect(emulator)
    conn.__init__(conn.account, request_timeout=3, retries=0)
    conn.vendor_ks()
    emulator.faults.configure(drip_rate=1.0, drip_interval_s=1.0)
    started = time.monotonic()
    with pytest.raises(ReachError) as err:
        reach_api.get_jobs(conn)
    elapsed = time.monotonic() - started
    # the answer would take minutes at one byte a second; the minimum rate ends it within its window
    assert elapsed < 20, elapsed
    assert err.value.transient
    assert "reach_entryvendortask.getJobs" in err.value.message
    assert "bytes/s" in err.value.message


def test_overall_deadline_ends_a_call_and_its_retries(emulator):
    conn = connect(emulator)
    conn.vendor_ks()
    emulator.faults.configure(drip_rate=1.0, drip_interval_s=1.0)
    conn.set_deadline(4)
    started = time.monotonic()
    with pytest.raises(ReachError) as err:
        reach_api.get_jobs(conn)
    assert time.monotonic() - started < 10
    assert err.value.code == "DEADLINE_EXCEEDED"
    assert "reach_entryvendortask.getJobs" in err.value.message


def test_sync_once_stops_at_its_deadline_and_says_which_call_ran_out(emulator, tmp_path):
    emulator.faults.configure(drip_rate=1.0, drip_interval_s=1.0)
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "REACH_STUDIO_HOME": str(tmp_path / "home"),
        "DEMO_TOKEN": emulator.info["appToken"],
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "reach_studio", "sync", "--once", "--deadline", "6",
         *account_args(emulator.info, "DEMO_TOKEN")],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr
    assert elapsed < 40, elapsed
    assert "overall deadline ran out during session." in proc.stderr  # the sign-in call was running
    assert emulator.info["appToken"] not in proc.stderr + proc.stdout


def test_oversized_answer_is_refused_before_it_is_read_whole(emulator):
    conn = _signed_in(emulator)
    emulator.faults.configure(oversize_rate=1.0, oversize_bytes=96 * 1024 * 1024)
    with pytest.raises(ReachError) as err:
        reach_api.get_jobs(conn)
    assert err.value.code == "ANSWER_TOO_LARGE" and err.value.transient  # the task is not given up for it
    assert "reach_entryvendortask.getJobs" in err.value.message
    # the client stopped reading near its 32 MB cap instead of taking all 96 MB
    assert emulator.faults.network.sent_bytes < 64 * 1024 * 1024
    emulator.faults.reset()
    assert reach_api.get_jobs(conn)  # and the next, normal answer is fine


def _claimed(emulator, conn, entry_name: str):
    task, _entry = task_on_entry(emulator, conn, entry_name, ServiceFeature.CAPTIONS)
    return reach_api.claim(conn, task, "ana", settle=0)


@pytest.mark.parametrize(
    "entry_name,protocol",
    [("Campus podcast, episode 12", "hls"), ("Guest talk (archive, no HLS)", "http")],
)
def test_cross_host_redirect_never_carries_the_access_key(emulator, conn, entry_name, protocol):
    task = _claimed(emulator, conn, entry_name)
    emulator.faults.configure(foreign_redirect_rate=1.0)
    result = fetch_task_media(conn, task, cache=MediaCache())
    assert result.protocol == protocol and result.path.stat().st_size > 0
    assert emulator.foreign.requests, "the fault did not redirect anything"
    assert emulator.foreign.headers_seen("X-Kaltura-Ks") == []


def test_key_scope_is_the_service_host_and_the_hosts_kaltura_named():
    ctx = {"sources": [{"url": "https://cdnapisec.kaltura.com/p/1/sp/100/playManifest/a.m3u8"}]}
    scope = KeyScope.for_playback("https://api.kaltura.com", ctx)
    assert scope.allows("https://api.kaltura.com/api_v3/x")
    assert scope.allows("https://CDNAPISEC.kaltura.com:443/p/1/seg.ts")
    assert not scope.allows("http://cdnapisec.kaltura.com/p/1/seg.ts")  # another scheme is another origin
    assert not scope.allows("https://cdnapisec.kaltura.com:8443/p/1/seg.ts")
    assert not scope.allows("https://evil.example/p/1/seg.ts")
    assert not scope.allows("https://kaltura.com.evil.example/")
    assert not scope.allows("file:///etc/passwd")
    assert scope.headers_for("https://evil.example/", {"X-Kaltura-Ks": "k"}) == {}


def test_dripping_playlist_ends_the_hls_fetch_with_a_clear_error(emulator, conn, tmp_path):
    from reach_studio.media.errors import MediaError
    from reach_studio.media.hls_fetch import fetch_hls

    task = _claimed(emulator, conn, "Campus podcast, episode 12")
    ctx = reach_api.playback_context(conn, task, "applehttp")
    url = next(s["url"] for s in ctx["sources"] if s.get("format") == "applehttp")
    emulator.faults.configure(drip_rate=1.0, drip_interval_s=1.0)
    started = time.monotonic()
    with pytest.raises(MediaError, match="bytes/s"):
        fetch_hls(
            url,
            tmp_path / "a.m4a",
            audio_only=True,
            secret_headers={"X-Kaltura-Ks": task.access_key},
            key_scope=KeyScope.for_playback(conn.service_url, ctx),
        )
    # two windows of the minimum rate (one retry), not a playlist read at a byte a second for minutes
    assert time.monotonic() - started < 60
