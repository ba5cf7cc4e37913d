"""Contract: cuePoint list/update/addFromBulk as CuePointService, KalturaCuePointFilter and KalturaCuePoint rule
them (docs/kaltura-contract.md, "Assets and cue points"), driven with a task's accessKey."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Annotation import KalturaAnnotation
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaNullableBoolean
from KalturaClient.Plugins.CuePoint import KalturaCuePointFilter
from KalturaClient.Plugins.ThumbCuePoint import KalturaThumbCuePoint

from reach_studio.domain.enums import CuePointStatus, ThumbCuePointSubType

from .kaltura import client, customer_admin, pending_task


def _key_client(emu):
    task = pending_task(emu)
    return client(emu, task["accessKey"]), task["entryId"]


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _chapter(entry_id: str, start_ms: int, **fields) -> KalturaThumbCuePoint:
    return KalturaThumbCuePoint(
        entryId=entry_id,
        startTime=start_ms,
        subType=int(ThumbCuePointSubType.CHAPTER),
        title=f"at {start_ms}",
        **fields,
    )


def test_cue_point_list_needs_an_id_or_entry_filter(emulator):
    c, _entry_id = _key_client(emulator)
    err = _refused(lambda: c.cuePoint.cuePoint.list(KalturaCuePointFilter()))
    assert err.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    assert (
        "KalturaCuePointFilter::idEqual/KalturaCuePointFilter::idIn/KalturaCuePointFilter::entryIdEqual"
        in (err.message)
    )
    assert _refused(lambda: c.cuePoint.cuePoint.list()).code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"


def test_deleted_cue_points_are_never_listed_whatever_the_status_filter(emulator):
    c, entry_id = _key_client(emulator)
    kept = c.cuePoint.cuePoint.add(_chapter(entry_id, 1000))
    gone = c.cuePoint.cuePoint.add(_chapter(entry_id, 2000))
    c.cuePoint.cuePoint.delete(gone.id)
    listed = c.cuePoint.cuePoint.list(KalturaCuePointFilter(entryIdEqual=entry_id))
    ids = [cue.id for cue in listed.objects]
    assert kept.id in ids and gone.id not in ids
    asked = KalturaCuePointFilter(entryIdEqual=entry_id, statusEqual=int(CuePointStatus.DELETED))
    assert c.cuePoint.cuePoint.list(asked).totalCount == 0
    by_id = c.cuePoint.cuePoint.list(KalturaCuePointFilter(idEqual=kept.id))
    assert [cue.id for cue in by_id.objects] == [kept.id]


def test_cue_point_list_without_a_pager_returns_up_to_500(emulator):
    c, entry_id = _key_client(emulator)
    c.startMultiRequest()
    for i in range(35):
        c.cuePoint.cuePoint.add(_chapter(entry_id, 100 * i))
    c.doMultiRequest()
    flt = KalturaCuePointFilter(entryIdEqual=entry_id)
    unpaged = c.cuePoint.cuePoint.list(flt)
    assert unpaged.totalCount >= 35 and len(unpaged.objects) == unpaged.totalCount
    # a pager without a size is KalturaFilterPager's default of 30
    assert len(c.cuePoint.cuePoint.list(flt, KalturaFilterPager()).objects) == 30


def test_a_system_name_another_cue_point_of_the_entry_has_is_cue_point_system_name_exists(emulator):
    c, entry_id = _key_client(emulator)
    first = c.cuePoint.cuePoint.add(_chapter(entry_id, 1000, systemName="chapter-1"))
    err = _refused(lambda: c.cuePoint.cuePoint.add(_chapter(entry_id, 3000, systemName="chapter-1")))
    assert err.code == "CUE_POINT_SYSTEM_NAME_EXISTS" and first.id in err.message
    second = c.cuePoint.cuePoint.add(_chapter(entry_id, 3000, systemName="chapter-2"))
    err = _refused(
        lambda: c.cuePoint.cuePoint.update(second.id, KalturaThumbCuePoint(systemName="chapter-1"))
    )
    assert err.code == "CUE_POINT_SYSTEM_NAME_EXISTS"
    # its own name again is no clash; a deleted cue point's name is free
    assert c.cuePoint.cuePoint.update(first.id, KalturaThumbCuePoint(systemName="chapter-1")).systemName == (
        "chapter-1"
    )
    c.cuePoint.cuePoint.delete(first.id)
    assert c.cuePoint.cuePoint.add(_chapter(entry_id, 1000, systemName="chapter-1")).systemName == "chapter-1"


def test_cue_point_update_changes_only_the_fields_sent_and_refuses_an_insert_only_entry_id(emulator):
    c, entry_id = _key_client(emulator)
    cue = c.cuePoint.cuePoint.add(_chapter(entry_id, 1000, description="intro"))
    changed = c.cuePoint.cuePoint.update(cue.id, KalturaThumbCuePoint(title="Welcome"))
    assert (changed.title, changed.description, changed.startTime) == ("Welcome", "intro", 1000)
    # validateEntryId looks the entry up first: an unknown one is ENTRY_ID_NOT_FOUND
    err = _refused(lambda: c.cuePoint.cuePoint.update(cue.id, KalturaThumbCuePoint(entryId="0_another")))
    assert err.code == "ENTRY_ID_NOT_FOUND"
    # another entry of the partner: Kaltura names an error constant it does not define (CANNOT_UPDATE_ENTRY_ID);
    # the emulator answers the insert-only refusal instead
    partner = emulator.store.get("entry", entry_id)["partnerId"]
    other_entry = next(
        e["id"] for e in emulator.inspect.objects("entry", partnerId=partner) if e["id"] != entry_id
    )
    err = _refused(lambda: c.cuePoint.cuePoint.update(cue.id, KalturaThumbCuePoint(entryId=other_entry)))
    assert err.code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "entryId" in err.message
    # its own entry again is no change
    assert c.cuePoint.cuePoint.update(cue.id, KalturaThumbCuePoint(entryId=entry_id)).entryId == entry_id


def test_add_from_bulk_answers_the_added_cue_points_as_a_list(emulator, tmp_path):
    c, entry_id = _key_client(emulator)
    xml = tmp_path / "chapters.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<scenes xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<scene-thumb-cue-point entryId="{entry_id}"><sceneStartTime>00:00:01.000</sceneStartTime>'
        "<title>One</title><subType>2</subType></scene-thumb-cue-point>"
        f'<scene-thumb-cue-point entryId="{entry_id}"><sceneStartTime>00:00:05.000</sceneStartTime>'
        "<title>Two</title><subType>2</subType></scene-thumb-cue-point>"
        "</scenes>",
        encoding="utf-8",
    )
    with open(xml, "rb") as fh:
        answer = c.cuePoint.cuePoint.addFromBulk(fh)
    assert answer.totalCount == 2 and [cue.title for cue in answer.objects] == ["One", "Two"]
    assert [cue.startTime for cue in answer.objects] == [1000, 5000]


def _user(emu, user_id: str, entry_id: str):
    """A USER KS of the task's customer with a user id and edit rights on the entry (no `list` privilege)."""
    customer = emu.info["customers"][0]
    c = client(emu)
    c.setKs(
        c.session.start(customer["adminSecret"], user_id, 0, customer["partnerId"], 3600, f"edit:{entry_id}")
    )
    return c


def _note(entry_id: str, start_ms: int, public: bool | None, **fields) -> KalturaAnnotation:
    note = KalturaAnnotation(entryId=entry_id, startTime=start_ms, text=f"note at {start_ms}", **fields)
    if public is not None:
        note.isPublic = KalturaNullableBoolean(int(public))
    return note


def test_a_task_key_lists_only_public_cue_points_and_chapters_are_always_public(emulator):
    """The accessKey is a USER KS with user "" and no `list` privilege: "user content only", and without a
    user id CuePointPeer keeps only public cue points. A chapter (thumb cue point) is public whoever added it;
    an annotation only when its isPublic says so (false when not sent). A KS with a user id also sees its own."""
    task_key, entry_id = _key_client(emulator)
    alice, bob = _user(emulator, "alice", entry_id), _user(emulator, "bob", entry_id)
    bobs_chapter = bob.cuePoint.cuePoint.add(_chapter(entry_id, 1000))
    bobs_private = bob.cuePoint.cuePoint.add(_note(entry_id, 2000, public=None, tags="chaptering"))
    bobs_public = bob.cuePoint.cuePoint.add(_note(entry_id, 3000, public=True))
    alices_private = alice.cuePoint.cuePoint.add(_note(entry_id, 4000, public=False))
    assert bobs_private.isPublic.getValue() == 0

    def listed(c, **fields) -> set[str]:
        flt = KalturaCuePointFilter(entryIdEqual=entry_id, **fields)
        return {cue.id for cue in c.cuePoint.cuePoint.list(flt).objects}

    everything = {bobs_chapter.id, bobs_private.id, bobs_public.id, alices_private.id}
    assert listed(customer_admin(emulator)) >= everything
    assert listed(task_key) & everything == {bobs_chapter.id, bobs_public.id}
    assert listed(alice) & everything == {bobs_chapter.id, bobs_public.id, alices_private.id}
    # tagsLike "chaptering" switches the public-only criterion off (the old player's chapters module)
    assert bobs_private.id in listed(task_key, tagsLike="chaptering")
    # get reads by id with those criteria off (CuePointPeer::retrieveByPK)
    assert task_key.cuePoint.cuePoint.get(alices_private.id).id == alices_private.id


def test_a_system_name_clashes_only_with_cue_points_the_key_may_list(emulator):
    """retrieveBySystemName runs under the same default criteria: the task key's chapter clashes with a
    chapter of that name (public), not with an annotation it cannot list."""
    task_key, entry_id = _key_client(emulator)
    bob = _user(emulator, "bob", entry_id)
    chapter = bob.cuePoint.cuePoint.add(_chapter(entry_id, 1000, systemName="intro"))
    bob.cuePoint.cuePoint.add(_note(entry_id, 2000, public=False, systemName="hidden"))
    err = _refused(lambda: task_key.cuePoint.cuePoint.add(_chapter(entry_id, 5000, systemName="intro")))
    assert err.code == "CUE_POINT_SYSTEM_NAME_EXISTS" and chapter.id in err.message
    assert (
        task_key.cuePoint.cuePoint.add(_chapter(entry_id, 6000, systemName="hidden")).systemName == "hidden"
    )
    # the owner does see its annotation: the same name from bob clashes
    assert _refused(
        lambda: bob.cuePoint.cuePoint.add(_chapter(entry_id, 7000, systemName="hidden"))
    ).code == ("CUE_POINT_SYSTEM_NAME_EXISTS")


def test_any_key_of_the_partner_gets_changes_and_deletes_its_cue_points(emulator):
    """`@validateUser CuePoint id editcuepoint` checks nothing (CuePoint is not IOwnable) and the service only
    logs a caller that is not the owner: another task's key of the same customer, on another entry, reads,
    changes and deletes a chapter; another partner's KS does not find it."""
    by_partner: dict[int, dict[str, dict]] = {}
    for task in emulator.inspect.objects("task", status=1):
        by_partner.setdefault(task["partnerId"], {}).setdefault(task["entryId"], task)
    mine, other = next(list(t.values())[:2] for t in by_partner.values() if len(t) >= 2)
    chapter = client(emulator, mine["accessKey"]).cuePoint.cuePoint.add(_chapter(mine["entryId"], 1000))
    stranger = client(emulator, other["accessKey"])
    assert stranger.cuePoint.cuePoint.get(chapter.id).entryId == mine["entryId"]
    assert (
        stranger.cuePoint.cuePoint.update(chapter.id, KalturaThumbCuePoint(title="Renamed")).title
        == "Renamed"
    )
    stranger.cuePoint.cuePoint.delete(chapter.id)
    assert emulator.store.get("cue_point", chapter.id)["status"] == int(CuePointStatus.DELETED)
    others = [t for t in by_partner if t != mine["partnerId"]]
    if others:
        foreign = next(iter(by_partner[others[0]].values()))
        kept = client(emulator, mine["accessKey"]).cuePoint.cuePoint.add(_chapter(mine["entryId"], 2000))
        err = _refused(lambda: client(emulator, foreign["accessKey"]).cuePoint.cuePoint.get(kept.id))
        assert err.code == "INVALID_CUE_POINT_ID"
