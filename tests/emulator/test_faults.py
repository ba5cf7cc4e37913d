"""Fault switches of the emulator, seen through the official client: 5xx, latency, drops, timeouts, KS expiry."""

from __future__ import annotations

import time

import pytest
import requests
from KalturaClient.exceptions import KalturaClientException, KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter

from reach_studio.domain.enums import TaskStatus

from .clients import new_client, vendor_client


def _jobs(client):
    return client.reach.entryVendorTask.getJobs(KalturaEntryVendorTaskFilter(), KalturaFilterPager())


def test_error_rate_gives_http_5xx_then_reset_heals(emulator):
    client = vendor_client(emulator)
    emulator.faults.configure(error_rate=1.0)
    raw = requests.post(f"{emulator.url}/api_v3/service/reach_entryvendortask/action/getJobs", timeout=10)
    assert raw.status_code in (500, 502, 503, 504)
    with pytest.raises(KalturaClientException):  # an HTML error page is not an API answer
        _jobs(client)
    emulator.faults.reset()
    assert _jobs(client).totalCount > 0


def test_error_rate_is_a_rate(emulator):
    emulator.faults.configure(error_rate=0.5, seed=7)
    codes = [
        requests.get(f"{emulator.url}/api_v3/service/session/action/get", timeout=10).status_code
        for _ in range(40)
    ]
    failures = sum(code >= 500 for code in codes)
    assert 8 <= failures <= 32  # about half, never all or none


def test_latency_is_added_to_every_request(emulator):
    client = vendor_client(emulator)
    emulator.faults.configure(latency_ms=400)
    started = time.perf_counter()
    _jobs(client)
    assert time.perf_counter() - started >= 0.4
    emulator.faults.configure(latency_ms=0)


def test_segment_latency_is_what_the_packager_waits(emulator):
    emulator.faults.configure(segment_latency_ms=150)
    started = time.perf_counter()
    emulator.faults.segment_delay()
    assert time.perf_counter() - started >= 0.15


def test_dropped_connection_reaches_the_client_as_a_connection_error(emulator):
    client = vendor_client(emulator)
    emulator.faults.configure(drop_rate=1.0)
    with pytest.raises(KalturaClientException) as exc:
        _jobs(client)
    assert exc.value.code == KalturaClientException.ERROR_CONNECTION_FAILED
    emulator.faults.configure(drop_rate=0.0)
    assert _jobs(client).totalCount > 0


def test_timeouts_outlast_the_client_timeout(emulator):
    client = vendor_client(emulator)
    client.config.requestTimeout = 1
    emulator.faults.configure(timeout_rate=1.0, timeout_sleep_s=3)
    started = time.perf_counter()
    with pytest.raises(KalturaClientException) as exc:
        _jobs(client)
    assert exc.value.code == KalturaClientException.ERROR_CONNECTION_FAILED
    assert time.perf_counter() - started >= 1
    emulator.faults.reset()
    client.config.requestTimeout = 30  # the recovery check must not race a loaded machine against 1 s
    assert _jobs(client).totalCount > 0


def test_forced_ks_expiry_hits_sessions_and_access_keys_but_not_new_ones(emulator):
    client = vendor_client(emulator)
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    emulator.faults.expire_all_ks()
    with pytest.raises(KalturaException) as exc:
        _jobs(client)
    assert exc.value.code == "INVALID_KS" and "-5,EXPIRED" in exc.value.message
    with pytest.raises(KalturaException) as exc:
        new_client(emulator, task["accessKey"]).reach.entryVendorTask.get(task["id"])
    assert exc.value.code == "INVALID_KS"
    assert _jobs(vendor_client(emulator)).totalCount > 0  # a fresh app-token session works


def test_http_twin_of_faults(emulator):
    base = f"{emulator.url}/_emulator/faults"
    state = requests.post(base, json={"error_rate": 1, "latency_ms": 5}, timeout=10).json()
    assert state["error_rate"] == 1.0 and state["latency_ms"] == 5.0
    assert requests.post(f"{emulator.url}/api_v3/service/session/action/get", timeout=10).status_code >= 500
    assert (
        requests.get(base, timeout=10).json()["error_rate"] == 1.0
    )  # the control API itself is never faulted
    assert requests.post(f"{base}/reset", timeout=10).json()["error_rate"] == 0.0
    bad = requests.post(base, json={"error_rate": 3}, timeout=10)
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["error"]
    bad = requests.post(base, json={"explode": 1}, timeout=10)
    assert bad.status_code == 400 and "explode" in bad.json()["error"]
    client = vendor_client(emulator)
    requests.post(f"{base}/expire_all_ks", timeout=10)
    with pytest.raises(KalturaException) as exc:
        _jobs(client)
    assert exc.value.code == "INVALID_KS"


def test_http_twin_of_inspect_and_control(emulator):
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    base = f"{emulator.url}/_emulator"
    assert requests.get(f"{base}/inspect/task/{task['id']}", timeout=10).json()["entryId"] == task["entryId"]
    aborted = requests.post(f"{base}/control/abort_task/{task['id']}", timeout=10).json()
    assert aborted["status"] == 7
    history = requests.get(f"{base}/inspect/status_history/{task['id']}", timeout=10).json()
    assert [h["status"] for h in history] == [1, 7]
    again = requests.post(f"{base}/control/abort_task/{task['id']}", timeout=10)
    assert again.status_code == 400
    found = requests.get(
        f"{base}/inspect/objects/task", params={"partnerId": task["partnerId"]}, timeout=10
    ).json()
    assert found and {t["partnerId"] for t in found} == {task["partnerId"]}
    new = requests.post(
        f"{base}/control/add_task",
        json={
            "partnerId": task["partnerId"],
            "entryId": task["entryId"],
            "catalogItemId": task["catalogItemId"],
            "reachProfileId": task["reachProfileId"],
            "notes": "rush",
        },
        timeout=10,
    ).json()
    assert emulator.inspect.task(new["id"])["notes"] == "rush"
    bad = requests.post(f"{base}/control/add_task", json={"partnerId": task["partnerId"]}, timeout=10)
    assert bad.status_code == 400 and "entryId" in bad.json()["error"]
    info = requests.get(f"{base}/info", timeout=10).json()
    assert info["vendorName"] == "Acme Captioning" and info["serviceUrl"] == emulator.url
    caption = emulator.inspect.objects("caption_asset")[0]
    content = requests.get(f"{base}/inspect/content/{caption['id']}", timeout=10)
    assert content.status_code == 200 and b"-->" in content.content


def test_server_error_lines_never_show_a_ks(emulator, caplog):
    import logging
    import socket
    from urllib.parse import urlparse

    ks = vendor_client(emulator).getKs()
    url = urlparse(emulator.url)
    with (
        caplog.at_level(logging.INFO),
        socket.create_connection((url.hostname, url.port), timeout=10) as sock,
    ):
        sock.sendall(f"GET /p/101/ks/{ks} extra HTTP/1.1\r\n\r\n".encode())
        reply = sock.recv(1000)
    assert b" 400 " in reply.split(b"\r\n")[0]
    assert "Bad request syntax" in caplog.text and "<ks>" in caplog.text
    assert ks not in caplog.text and ks[:30] not in caplog.text
