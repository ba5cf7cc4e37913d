"""ReachConnection: service URLs, app-token sign-in, client tags, KS renewal, retries, secrets kept out of errors."""

from __future__ import annotations

import base64
import threading

import pytest

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.kaltura.connection import AccountConfig, ReachConnection, ReachError, resolve_service_url
from reach_studio.kaltura.ks import ks_expiry, ks_partner_id, ks_version

from .kaltura_stub import KalturaStub

TOKEN = "tok-secret-123"


@pytest.fixture
def stub():
    with KalturaStub(app_token=TOKEN) as s:
        yield s


def _conn(stub, **kw) -> ReachConnection:
    acct = AccountConfig(stub.url, 700, "Acme", app_token_id="0_tok", app_token=TOKEN)
    kw.setdefault("sleep", lambda s: None)
    return ReachConnection(acct, **kw)


def _task(tid: int, key: str, status=TaskStatus.PROCESSING) -> Task:
    return Task(
        id=tid,
        partner_id=101,
        vendor_partner_id=700,
        entry_id="0_e",
        status=status,
        catalog_item_id=1,
        reach_profile_id=1,
        access_key=key,
    )


def test_service_url_presets_and_https_rule():
    assert resolve_service_url("eu") == "https://api.eu.kaltura.com"
    assert resolve_service_url("global") == "https://api.kaltura.com"
    assert resolve_service_url("https://kaltura.example.org/") == "https://kaltura.example.org"
    assert resolve_service_url("http://127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert resolve_service_url("http://localhost:8080") == "http://localhost:8080"
    for bad in ("http://api.kaltura.com", "ftp://x", "not a url", ""):
        with pytest.raises(ReachError) as info:
            resolve_service_url(bad)
        assert info.value.code == "INVALID_SERVICE_URL"


def test_account_repr_hides_secrets():
    acct = AccountConfig(
        "eu", 1, "V", app_token_id="id", app_token="s3cr3t-token", admin_secret="adm1n-secret"
    )
    assert "s3cr3t-token" not in repr(acct) and "adm1n-secret" not in repr(acct)


def test_app_token_sign_in_is_cached_and_tags_are_right(stub):
    conn = _conn(stub)
    for _ in range(3):
        conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    assert conn.sign_ins == 1
    widget, start = stub.requests[0], stub.requests[1]
    assert (widget["action"], start["action"]) == ("startWidgetSession", "startSession")
    assert widget["widgetId"] == "_700"
    assert start["sessionPrivileges"] == "disableentitlement"
    jobs = [r for r in stub.requests if r["action"] == "getJobs"]
    assert {r["ks"] for r in jobs} == {"vendor-ks-1"}
    assert {r["clientTag"] for r in jobs} == {"python-26-10-22_Acme-700"}


def test_wrong_app_token_gives_clear_error_without_the_token(stub):
    acct = AccountConfig(stub.url, 700, "Acme", app_token_id="0_tok", app_token="wrong-token-value")
    conn = ReachConnection(acct, sleep=lambda s: None)
    with pytest.raises(ReachError) as info:
        conn.vendor_client()
    assert info.value.code == "INVALID_APP_TOKEN_HASH"
    assert "wrong-token-value" not in str(info.value)


def test_session_renewed_before_expiry(stub):
    stub.session_ttl = 1  # expires at once: inside the renewal margin
    conn = _conn(stub)
    conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    assert conn.sign_ins == 2


def test_expired_ks_renews_once_and_retries(stub):
    conn = _conn(stub)
    conn.vendor_client()
    stub.invalid_ks_once.add("vendor-ks-1")
    conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    assert conn.sign_ins == 2
    assert stub.requests[-1]["ks"] == "vendor-ks-2"


def test_5xx_is_retried_with_backoff(stub):
    delays: list[float] = []
    conn = _conn(stub, sleep=delays.append)
    conn.vendor_client()
    stub.fail_next_5xx = 3
    result = conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    assert result.totalCount == 0
    assert len(delays) == 3 and delays[0] < delays[1] < delays[2]


def test_persistent_5xx_gives_transient_reach_error(stub):
    conn = _conn(stub, retries=2)
    conn.vendor_client()
    stub.fail_next_5xx = 10
    with pytest.raises(ReachError) as info:
        conn.call(lambda c: c.reach.entryVendorTask.getJobs())
    assert info.value.transient and info.value.code == "TRANSPORT_ERROR"


def test_unreachable_server_is_a_reach_error():
    acct = AccountConfig("http://127.0.0.1:9", 700, "Acme", admin_secret="adminsecret-xyz")
    conn = ReachConnection(acct, request_timeout=2, retries=1, sleep=lambda s: None)
    with pytest.raises(ReachError) as info:
        conn.vendor_client()
    assert info.value.transient
    assert "adminsecret-xyz" not in str(info.value)


def test_task_calls_use_the_access_key_and_task_tag_in_parallel(stub):
    conn = _conn(stub)
    tasks = [_task(i, f"access-key-of-task-{i}") for i in range(1, 9)]

    def work(t):
        for _ in range(3):
            conn.call(lambda c: c.reach.entryVendorTask.get(t.id), task=t)

    threads = [threading.Thread(target=work, args=(t,)) for t in tasks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    gets = [r for r in stub.requests if r["action"] == "get"]
    assert len(gets) == 24
    for r in gets:
        tid = r["id"]
        assert r["ks"] == f"access-key-of-task-{tid}"
        assert r["clientTag"] == f"python-26-10-22_Acme-700-{tid}"


def test_refused_task_key_is_extended_once_and_not_leaked(stub):
    conn = _conn(stub)
    key = "customer-access-key-" + "A" * 80
    task = _task(42, key)
    stub.invalid_ks_once.add(key)
    conn.call(lambda c: c.reach.entryVendorTask.get(task.id), task=task)
    assert task.access_key == "extended-key-42"
    ext = [r for r in stub.requests if r["action"] == "extendAccessKey"]
    assert ext and ext[0]["ks"] == "vendor-ks-1"  # extension uses the vendor KS

    pending = _task(43, key, status=TaskStatus.PENDING)
    stub.invalid_ks_once.add(key)
    with pytest.raises(ReachError) as info:
        conn.call(lambda c: c.reach.entryVendorTask.get(pending.id), task=pending)
    assert key not in str(info.value)
    assert "cannot be extended" in str(info.value)


def test_missing_credentials_rejected():
    with pytest.raises(ReachError):
        ReachConnection(AccountConfig("eu", 1, "V"))


def test_ks_readers():
    v1 = base64.b64encode(b"a" * 40 + b"|101;101;1900000000;0;123;;edit:0_x").decode()
    assert ks_version(v1) == 1 and ks_expiry(v1) == 1900000000 and ks_partner_id(v1) == 101
    v2 = base64.b64encode(b"v2|101|" + bytes(range(48))).decode().replace("+", "-").replace("/", "_")
    assert ks_version(v2) == 2 and ks_expiry(v2) is None and ks_partner_id(v2) == 101
    assert ks_expiry("garbage!!") is None and ks_version("") is None


def test_fields_a_newer_server_adds_are_kept(stub):
    from reach_studio.kaltura import reach_api

    conn = _conn(stub)
    light = _task(5, "key-5")
    task = reach_api.get_task(conn, light, state=light)  # getJobs' answer stands for the unprofiled fields
    assert task.extra["futureField"] == "42"
    assert task.extra["futureObject"] == {"a": "1", "b": "two"}
    assert task.catalog_item.id == 9 and task.catalog_item.extra["futureCatalogField"] == "x"
    (get,) = [r for r in stub.requests if r["action"] == "get" and "entryvendortask" in r["service"].lower()]
    assert get["responseProfile"]["systemName"] == "reach_vendor"


def test_a_malformed_task_is_skipped_not_fatal(stub):
    from reach_studio.kaltura import reach_api

    stub.jobs = [
        "<id>1</id><status>1</status><entryId>0_a</entryId><partnerId>101</partnerId><accessKey>k1</accessKey>",
        "<id>2</id><status>1</status><partnerId>101</partnerId>",  # no entryId: unreadable
    ]
    assert [t.id for t in reach_api.get_jobs(_conn(stub))] == [1]
