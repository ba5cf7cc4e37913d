"""The Kaltura wire format of the emulator: requests as clients send them, XML and JSON answers, errors, multirequest."""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Reach import (
    KalturaEntryVendorTask,
    KalturaEntryVendorTaskStatus,
    KalturaReachProfile,
)
from lxml import etree

from reach_studio.domain.enums import TaskStatus
from reach_studio.emulator import schema
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.ks import KsError, make_ks, parse_ks
from reach_studio.emulator.wire import UploadedFile, parse_request, to_json, to_xml

from .clients import app_token_session, new_client, vendor_client

# ---- parsing (pure) ---------------------------------------------------------------------------------------


def test_form_fields_nest_with_brackets_and_colons():
    params = parse_request(
        "application/x-www-form-urlencoded",
        b"",
        [
            ("format", "1"),
            ("filter[statusEqual]", "9"),
            ("filter[objectType]", "KalturaEntryVendorTaskFilter"),
            ("entryVendorTask:status", "3"),
            ("a[b][c]", "deep"),
        ],
        [],
        [("ks", "abc")],
    )
    assert params == {
        "format": "1",
        "ks": "abc",
        "filter": {"statusEqual": "9", "objectType": "KalturaEntryVendorTaskFilter"},
        "entryVendorTask": {"status": "3"},
        "a": {"b": {"c": "deep"}},
    }


def test_json_body_and_multipart_json_part_with_files():
    body = json.dumps(
        {"format": "2", "id": "5", "entryVendorTask": {"objectType": "KalturaEntryVendorTask"}}
    ).encode()
    assert (
        parse_request("application/json", body, [], [], [])["entryVendorTask"]["objectType"]
        == "KalturaEntryVendorTask"
    )
    upload = UploadedFile(b"chunk", "part.bin")
    params = parse_request(
        "multipart/form-data; boundary=x",
        b"",
        [("json", json.dumps({"uploadTokenId": "0_t", "resume": "True"}))],
        [("fileData", upload), ("1:fileData", upload)],
        [],
    )
    assert params["uploadTokenId"] == "0_t" and params["resume"] == "True"
    assert params["fileData"] is upload and params["1"]["fileData"] is upload


def test_scalars_arrive_as_strings_and_convert_like_kaltura():
    task = schema.coerce(
        {
            "objectType": "KalturaEntryVendorTask",
            "status": "3",
            "accuracy": "99",
            "notes__null": "",
            "unitsUsedArray": {"-": ""},
            "unknownField": "ignored",
        },
        "KalturaEntryVendorTask",
    )
    assert task == {
        "objectType": "KalturaEntryVendorTask",
        "status": 3,
        "accuracy": 99,
        "notes": None,
        "unitsUsedArray": [],
    }
    item = schema.coerce(
        {
            "objectType": "KalturaVendorTranslationCatalogItem",
            "requireSource": "False",
            "allowResubmission": "True",
            "enableSpeakerId": "true",
        },
        "KalturaVendorCatalogItem",
    )
    assert (
        item["requireSource"] is False and item["allowResubmission"] is True and item["enableSpeakerId"] == 1
    )
    with pytest.raises(ApiError) as exc:
        schema.coerce({"objectType": "KalturaEntryVendorTask", "status": "12"}, "KalturaEntryVendorTask")
    assert exc.value.code == "INVALID_ENUM_VALUE"
    assert exc.value.args_map == {
        "ENUM_VAL": "12",
        "PARAM_NAME": "KalturaEntryVendorTask::status",
        "ENUM_TYPE": "KalturaEntryVendorTaskStatus",
    }
    with pytest.raises(ApiError) as exc:
        schema.coerce({"objectType": "KalturaNoSuchThing"}, "KalturaEntryVendorTask")
    assert exc.value.code == "OBJECT_TYPE_NOT_FOUND"
    with pytest.raises(ApiError) as exc:
        schema.coerce({"objectType": "KalturaReachProfile"}, "KalturaEntryVendorTask")
    assert exc.value.code == "INVALID_OBJECT_TYPE"


def test_one_representation_two_formats():
    result = {
        "objectType": "KalturaVendorTranslationCatalogItem",
        "id": 7,
        "requireSource": True,
        "notes": None,
        "pricing": {"objectType": "KalturaVendorCatalogItemPricing", "pricePerUnit": 1.5},
        "_path": "/secret/internal",
    }
    xml = etree.fromstring(to_xml(result))
    node = xml.find("result")
    assert node.findtext("objectType") == "KalturaVendorTranslationCatalogItem"
    assert node.findtext("requireSource") == "1"
    assert node.find("notes") is not None and node.findtext("notes") == ""
    assert node.find("pricing").findtext("pricePerUnit") == "1.5"
    # declared fields never set are still written (empty), internal fields never
    assert node.find("targetLanguage") is not None and node.find("_path") is None
    as_json = json.loads(to_json(result))
    assert as_json["requireSource"] is True and as_json["id"] == 7 and "notes" not in as_json
    assert "_path" not in as_json
    error = ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID="0_x")
    assert json.loads(to_json(error)) == {
        "code": "ENTRY_ID_NOT_FOUND",
        "message": 'Entry id "0_x" not found',
        "objectType": "KalturaAPIException",
        "args": {"ENTRY_ID": "0_x"},
    }
    err = etree.fromstring(to_xml(error)).find("result/error")
    assert (
        err.findtext("code") == "ENTRY_ID_NOT_FOUND" and err.findtext("objectType") == "KalturaAPIException"
    )
    assert err.find("args/item").findtext("name") == "ENTRY_ID"


# ---- over HTTP ---------------------------------------------------------------------------------------------


def _api(emu, service, action, **fields):
    return requests.post(f"{emu.url}/api_v3/service/{service}/action/{action}", data=fields, timeout=10)


def test_curl_style_form_request_answers_json_and_xml(emulator):
    ks = app_token_session(emulator).ks
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    as_json = _api(
        emulator, "reach_vendorcatalogitem", "get", format="1", ks=ks, id=str(task["catalogItemId"])
    )
    assert as_json.status_code == 200 and as_json.headers["Content-Type"].startswith("application/json")
    item = as_json.json()
    assert item["objectType"].startswith("KalturaVendor") and item["id"] == task["catalogItemId"]
    as_xml = _api(
        emulator, "reach_vendorcatalogitem", "get", format="2", ks=ks, id=str(task["catalogItemId"])
    )
    assert as_xml.headers["Content-Type"].startswith("text/xml")
    node = etree.fromstring(as_xml.content).find("result")
    assert (
        node.findtext("name") == item["name"]
        and int(node.findtext("serviceFeature")) == item["serviceFeature"]
    )
    # getJobs the vendor-guide way: form fields with a nested filter
    jobs = _api(
        emulator,
        "reach_entryvendortask",
        "getJobs",
        format="1",
        ks=ks,
        **{"filter[objectType]": "KalturaEntryVendorTaskFilter", "filter[statusEqual]": "9"},
    ).json()
    assert jobs["objectType"] == "KalturaEntryVendorTaskListResponse"
    assert {t["status"] for t in jobs["objects"]} == {9}


def test_errors_are_http_200_api_exceptions(emulator):
    reply = _api(emulator, "nosuchservice", "get", format="1")
    assert reply.status_code == 200
    assert reply.json()["code"] == "SERVICE_DOES_NOT_EXISTS" and reply.json()["args"] == {
        "SRV_NAME": "nosuchservice"
    }
    reply = _api(emulator, "reach_entryvendortask", "nosuchaction")
    error = etree.fromstring(reply.content).find("result/error")
    assert error.findtext("code") == "ACTION_DOES_NOT_EXISTS"
    assert (
        error.findtext("message")
        == 'Action "nosuchaction" does not exist for service "reach_entryvendortask"'
    )
    # a body that is not JSON is an API error too, not an HTTP 500
    reply = requests.post(
        f"{emulator.url}/api_v3/service/session/action/start",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 200 and etree.fromstring(reply.content).find("result/error") is not None


def test_wrong_object_type_for_a_parameter_through_json_body(emulator):
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    ks = task["accessKey"]  # get works with the task's key (the vendor's own KS does not see the task)
    body = {
        "format": "1",
        "ks": ks,
        "id": str(task["id"]),
        "entryVendorTask": {"objectType": "KalturaReachProfile", "name": "x"},
    }
    reply = requests.post(
        f"{emulator.url}/api_v3/service/reach_entryvendortask/action/updateJob", json=body, timeout=10
    ).json()
    assert reply["code"] == "INVALID_OBJECT_TYPE"
    body["entryVendorTask"] = {"objectType": "KalturaMadeUpTask"}
    reply = requests.post(
        f"{emulator.url}/api_v3/service/reach_entryvendortask/action/updateJob", json=body, timeout=10
    ).json()
    assert reply["code"] == "OBJECT_TYPE_NOT_FOUND"


def test_null_fields_clear_values(emulator):
    client = vendor_client(emulator)
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    change = KalturaEntryVendorTask(notes="temporary")
    client.reach.entryVendorTask.updateJob(task["id"], change)
    assert emulator.inspect.task(task["id"])["notes"] == "temporary"
    change = KalturaEntryVendorTask()
    change.notes = None  # the client sends notes__null
    got = client.reach.entryVendorTask.updateJob(task["id"], change)
    assert emulator.inspect.task(task["id"])["notes"] is None
    assert got.notes == ""  # an empty XML element, as Kaltura writes nulls


def test_multirequest_with_placeholders_and_a_failing_call(emulator):
    vendor = vendor_client(emulator)
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING, partnerId=101)[0]
    client = new_client(emulator, task["accessKey"])
    client.startMultiRequest()
    first = client.reach.entryVendorTask.get(task["id"])
    client.reach.reachProfile.get(first.reachProfileId)  # {1:result:reachProfileId}
    client.reach.vendorCatalogItem.get(first.catalogItemId)  # {1:result:catalogItemId}
    client.reach.entryVendorTask.get(999999)
    results = client.doMultiRequest()
    assert len(results) == 4
    assert isinstance(results[0], KalturaEntryVendorTask) and results[0].id == task["id"]
    assert isinstance(results[1], KalturaReachProfile) and results[1].id == task["reachProfileId"]
    assert results[2].id == task["catalogItemId"] and "CatalogItem" in type(results[2]).__name__
    assert isinstance(results[3], KalturaException) and results[3].code == "ENTRY_VENDOR_TASK_NOT_FOUND"
    # a multirequest that changes state: claim, then read back
    vendor.startMultiRequest()
    vendor.reach.entryVendorTask.updateJob(
        task["id"], KalturaEntryVendorTask(status=KalturaEntryVendorTaskStatus(3))
    )
    vendor.reach.entryVendorTask.getJobs()
    claimed, jobs = vendor.doMultiRequest()
    assert claimed.status.getValue() == 3
    assert task["id"] not in {t.id for t in jobs.objects}


def test_multirequest_per_call_ks_overrides_the_top_level_one(emulator):
    task = emulator.inspect.objects("task", status=TaskStatus.PENDING)[0]
    ks = task["accessKey"]  # get works with the task's key (the vendor's own KS does not see the task)
    body = {
        "format": "1",
        "ks": ks,
        "0": {"service": "reach_entryvendortask", "action": "get", "id": str(task["id"])},
        "1": {"service": "reach_entryvendortask", "action": "get", "id": str(task["id"]), "ks": "broken"},
        "2": {"service": "nosuch", "action": "x"},
    }
    reply = requests.post(f"{emulator.url}/api_v3/service/multirequest", json=body, timeout=10).json()
    assert reply[0]["id"] == task["id"]
    assert reply[1]["code"] == "INVALID_KS"
    assert reply[2]["code"] == "SERVICE_DOES_NOT_EXISTS"


# ---- robustness: bad input gets an API error, never a crash -------------------------------------------------


_values = st.recursive(
    st.text(max_size=20),
    lambda inner: st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "objectType",
                "status",
                "accuracy",
                "notes__null",
                "taskJobData",
                "unitsUsedArray",
                "entryId",
                "x",
            ]
        ),
        _values,
        max_size=6,
    )
)
def test_any_wire_object_converts_or_gives_an_api_error(raw):
    try:
        result = schema.coerce(raw, "KalturaEntryVendorTask")
    except ApiError as err:
        assert err.code and err.message
    else:
        assert result["objectType"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_as_ks_is_refused_cleanly(text):
    with pytest.raises(KsError):
        parse_ks(text, ["secret"])


def test_ks_round_trip_and_tampering():
    ks = make_ks(
        "s3cret", 101, session_type=0, user_id="u", expiry_s=60, privileges="edit:0_a,sview:0_a,list:*"
    )
    session = parse_ks(ks, ["other", "s3cret"])
    assert (
        session.partner_id == 101 and session.user_id == "u" and session.privilege_values("edit") == {"0_a"}
    )
    tampered = ks[:-6] + ("A" if ks[-6] != "A" else "B") + ks[-5:]
    with pytest.raises(KsError):
        parse_ks(tampered, ["s3cret"])


def test_text_the_xml_cannot_carry_is_dropped_not_fatal():
    doc = etree.fromstring(
        to_xml(
            {
                "objectType": "KalturaEntryVendorTask",
                "notes": "bell\x07 and nul\x00 ok",
                "price": float("nan"),
            }
        )
    )
    assert doc.findtext("result/notes") == "bell and nul ok"
    assert doc.findtext("result/price") == "nan"
