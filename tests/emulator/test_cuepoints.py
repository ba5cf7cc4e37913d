"""cuePoint add / addFromBulk / get / list through the official client: chapters as a chaptering vendor adds them."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.CodeCuePoint import KalturaCodeCuePoint
from KalturaClient.Plugins.CuePoint import KalturaCuePointFilter
from KalturaClient.Plugins.ThumbCuePoint import KalturaThumbCuePoint, KalturaThumbCuePointFilter

from reach_studio.emulator.cuepoint_bulk import BulkXmlError, ms_to_time, parse_bulk_xml, time_to_ms

from .entry_setup import bare_entry, key_client


def _bulk(client, tmp_path, xml: str):
    path = tmp_path / "cuepoints.xml"
    path.write_text(xml, "utf-8")
    with open(path, "rb") as fh:
        return client.cuePoint.cuePoint.addFromBulk(fh)


def test_chapters_are_added_and_listed_in_time_order(emulator):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    later = client.cuePoint.cuePoint.add(
        KalturaThumbCuePoint(
            entryId=entry["id"],
            startTime=15_300,
            subType=2,
            title="Results",
            description="What we found",
            tags="chapter",
        )
    )
    client.cuePoint.cuePoint.add(
        KalturaThumbCuePoint(
            entryId=entry["id"], startTime=0, subType=2, title="Introduction", description=""
        )
    )
    assert type(later).__name__ == "KalturaThumbCuePoint"
    assert later.cuePointType.getValue() == "thumbCuePoint.Thumb"
    assert later.subType.getValue() == 2
    assert later.status.getValue() == 1  # READY
    assert later.partnerId == entry["partnerId"]
    code = client.cuePoint.cuePoint.add(
        KalturaCodeCuePoint(entryId=entry["id"], startTime=1000, endTime=4000, code="intro-music")
    )
    assert code.duration == 3000

    chapters = client.cuePoint.cuePoint.list(
        KalturaThumbCuePointFilter(entryIdEqual=entry["id"], subTypeEqual=2)
    )
    assert [(c.title, c.startTime) for c in chapters.objects] == [("Introduction", 0), ("Results", 15_300)]
    everything = client.cuePoint.cuePoint.list(KalturaCuePointFilter(entryIdEqual=entry["id"]))
    assert [type(c).__name__ for c in everything.objects] == [
        "KalturaThumbCuePoint",
        "KalturaCodeCuePoint",
        "KalturaThumbCuePoint",
    ]
    got = client.cuePoint.cuePoint.get(later.id)
    assert (got.title, got.description, got.tags) == ("Results", "What we found", "chapter")
    recorded = emulator.inspect.objects("cue_point", entryId=entry["id"])
    assert len(recorded) == 3


def test_cue_point_refusals(emulator):
    entry, other = bare_entry(emulator), bare_entry(emulator)
    client = key_client(emulator, entry)
    with pytest.raises(KalturaException) as exc:
        client.cuePoint.cuePoint.add(KalturaThumbCuePoint(startTime=0, subType=2, title="No entry"))
    assert exc.value.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    assert "entryId" in exc.value.message
    with pytest.raises(KalturaException) as exc:
        client.cuePoint.cuePoint.add(KalturaThumbCuePoint(entryId=entry["id"], startTime=0, subType=7))
    assert exc.value.code == "INVALID_ENUM_VALUE"
    with pytest.raises(KalturaException) as exc:
        client.cuePoint.cuePoint.add(KalturaThumbCuePoint(entryId=entry["id"], startTime=-5, subType=2))
    assert exc.value.code == "START_TIME_CANNOT_BE_LESS_THAN_0"
    with pytest.raises(KalturaException) as exc:  # the key of another task's entry
        client.cuePoint.cuePoint.add(
            KalturaThumbCuePoint(entryId=other["id"], startTime=0, subType=2, title="x")
        )
    assert exc.value.code == "ENTRY_ID_NOT_FOUND"
    mine = client.cuePoint.cuePoint.add(KalturaThumbCuePoint(entryId=entry["id"], startTime=0, subType=2))
    # another entry's key of the same partner reads it: partner filter only (docs/kaltura-contract.md)
    assert key_client(emulator, other).cuePoint.cuePoint.get(mine.id).id == mine.id
    with pytest.raises(KalturaException) as exc:
        client.cuePoint.cuePoint.get("0_nosuchcue")
    assert exc.value.code == "INVALID_CUE_POINT_ID"
    assert emulator.inspect.objects("cue_point", entryId=other["id"]) == []


def test_add_from_bulk_creates_every_scene(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    eid = entry["id"]
    result = _bulk(
        client,
        tmp_path,
        f"""<?xml version="1.0" encoding="UTF-8"?>
<scenes>
  <scene-thumb-cue-point entryId="{eid}" systemName="ch1">
    <sceneStartTime>00:00:00.000</sceneStartTime>
    <tags><tag>chapter</tag><tag>intro</tag></tags>
    <title>Welcome</title><description>Opening words</description><subType>2</subType>
  </scene-thumb-cue-point>
  <scene-thumb-cue-point entryId="{eid}">
    <sceneStartTime>00:00:15.250</sceneStartTime>
    <title>Method</title><description></description><subType>2</subType>
  </scene-thumb-cue-point>
  <scene-code-cue-point entryId="{eid}">
    <sceneStartTime>00:00:10</sceneStartTime><sceneEndTime>00:00:12.5</sceneEndTime>
    <code>jingle</code>
  </scene-code-cue-point>
</scenes>""",
    )
    assert type(result).__name__ == "KalturaCuePointListResponse"
    assert result.totalCount == 3
    made = [(type(c).__name__, c.startTime) for c in result.objects]
    assert made == [
        ("KalturaThumbCuePoint", 0),
        ("KalturaThumbCuePoint", 15_250),
        ("KalturaCodeCuePoint", 10_000),
    ]
    first = result.objects[0]
    assert (first.title, first.description, first.tags, first.systemName) == (
        "Welcome",
        "Opening words",
        "chapter,intro",
        "ch1",
    )
    assert result.objects[2].endTime == 12_500
    listed = client.cuePoint.cuePoint.list(KalturaCuePointFilter(entryIdEqual=eid))
    assert listed.totalCount == 3


def test_add_from_bulk_with_bad_scenes_adds_nothing_and_names_each_problem(emulator, tmp_path):
    entry, other = bare_entry(emulator), bare_entry(emulator)
    client = key_client(emulator, entry)
    with pytest.raises(KalturaException) as exc:
        _bulk(
            client,
            tmp_path,
            f"""<scenes>
  <scene-thumb-cue-point entryId="{entry["id"]}"><sceneStartTime>00:00:01</sceneStartTime>
    <title>Fine</title></scene-thumb-cue-point>
  <scene-thumb-cue-point entryId="{entry["id"]}"><sceneStartTime>soon</sceneStartTime>
    <title>Bad time</title></scene-thumb-cue-point>
  <scene-thumb-cue-point entryId="{other["id"]}"><sceneStartTime>00:00:02</sceneStartTime>
    <title>Not my entry</title></scene-thumb-cue-point>
</scenes>""",
        )
    assert exc.value.code == "XML_INVALID"
    assert "scene 2" in exc.value.message and "sceneStartTime" in exc.value.message
    assert emulator.inspect.objects("cue_point") == []
    # the entry check is per scene too, once the XML itself is fine
    with pytest.raises(KalturaException) as exc:
        _bulk(
            client,
            tmp_path,
            f"""<scenes>
  <scene-thumb-cue-point entryId="{entry["id"]}"><sceneStartTime>00:00:01</sceneStartTime>
    <title>Fine</title></scene-thumb-cue-point>
  <scene-thumb-cue-point entryId="{other["id"]}"><sceneStartTime>00:00:02</sceneStartTime>
    <title>Not my entry</title></scene-thumb-cue-point>
</scenes>""",
        )
    assert exc.value.code == "XML_INVALID"
    assert "scene 2" in exc.value.message and other["id"] in exc.value.message
    assert "scene 1" not in exc.value.message
    assert emulator.inspect.objects("cue_point") == []
    with pytest.raises(KalturaException) as exc:
        _bulk(client, tmp_path, "<scenes><scene-thumb-cue-point")
    assert exc.value.code == "XML_INVALID"


def test_bulk_parser_reads_times_and_refuses_hostile_xml():
    assert time_to_ms("00:01:05.3") == 65_300
    assert time_to_ms("01:00:00") == 3_600_000
    assert time_to_ms("12.5") == 12_500
    assert ms_to_time(3_725_042) == "01:02:05.042"
    for bad in ("", "1:2:3:4", "-1", "aa:bb"):
        with pytest.raises(ValueError):
            time_to_ms(bad)
    bomb = b"""<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<scenes><scene-thumb-cue-point entryId="0_x"><sceneStartTime>0</sceneStartTime><title>&b;</title>
</scene-thumb-cue-point></scenes>"""
    with pytest.raises(BulkXmlError):
        parse_bulk_xml(bomb)
    with pytest.raises(BulkXmlError) as exc:
        parse_bulk_xml(b"<chapters/>")
    assert "root element" in str(exc.value)
    with pytest.raises(BulkXmlError) as exc:
        parse_bulk_xml(
            b"<scenes><scene-thumb-cue-point><sceneStartTime>0</sceneStartTime>"
            b'<title>t</title></scene-thumb-cue-point><scene-weird entryId="0_x"/></scenes>'
        )
    assert len(exc.value.problems) == 2
