"""Crash tests: a real delivery process is SIGKILLed between every pair of steps (and inside the window
between Kaltura answering and the journal recording it, and in the middle of an upload), then resumed.
The emulator must hold exactly one of each asset and the task must end READY.
"""

from __future__ import annotations

import sqlite3

from reach_studio.domain.delivery_plan import WorkProduct, build_plan
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryService
from tests.delivery.conftest import run_child
from tests.delivery.factories import our_marker as marker
from tests.factories import make_doc

KILLED = -9


def _marked(emu, kind, task_id):
    prefix = marker(task_id, "")
    return [o for o in emu.inspect.objects(kind) if str(o.get("partnerData") or "").startswith(prefix)]


def _plan(conn, task, product):
    return DeliveryService(conn).plan(task, product)


def _assert_exactly_once(emu, plan, task_id):
    adds = [s for s in plan.steps if s.op == "add"]
    kinds = {
        "caption.captionAsset": "caption_asset",
        "attachment.attachmentAsset": "attachment_asset",
        "flavorAsset": "flavor_asset",
        "cuePoint.cuePoint": "cue_point",
        "media": "entry",
    }
    expected: dict[str, set[str]] = {}
    for s in adds:
        expected.setdefault(kinds[s.service], set()).add(s.marker)
    for kind, markers in expected.items():
        found = [o["partnerData"] for o in _marked(emu, kind, task_id)]
        assert sorted(found) == sorted(markers), f"{kind}: {found}"


def test_killed_after_every_step_then_resumed(emulator, conn, claimed, tmp_path):
    task = claimed(ServiceFeature.CAPTIONS, metadata=True, entry_tags="lecture")
    product = WorkProduct(captions=make_doc(3), transcripts=("txt", "dfxp"), tags=("physics",))
    plan = _plan(conn, task, product)
    journal = tmp_path / "journal.sqlite3"
    assert len(plan.steps) == 12
    for n in range(1, len(plan.steps)):
        rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_step", "n": 1})
        assert rc == KILLED, f"run {n} was not killed"
        assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
        with sqlite3.connect(journal) as db:
            done = db.execute("SELECT COUNT(*) FROM delivery_step WHERE state='done'").fetchone()[0]
        assert done == n  # exactly one more step per run: it resumed after the last completed one
    rc, out = run_child(tmp_path, emulator, task, product, journal)
    assert rc == 0 and out["status"] == int(TaskStatus.READY), out
    assert len(out["skipped"]) == len(plan.steps) - 1
    _assert_exactly_once(emulator, plan, task.id)
    cap = _marked(emulator, "caption_asset", task.id)[0]
    assert emulator.inspect.task(task.id)["outputObjectId"] == cap["id"] == out["output"]
    assert len(cap["associatedTranscriptIds"].split(",")) == 2
    (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
    assert entry["tags"] == "lecture,physics"


def test_killed_between_kaltura_answer_and_journal_adopts_instead_of_adding_again(
    emulator, conn, claimed, tmp_path
):
    task = claimed(ServiceFeature.CAPTIONS, metadata=True)
    product = WorkProduct(captions=make_doc(2), transcripts=("txt",), tags=("energy",))
    plan = _plan(conn, task, product)
    journal = tmp_path / "journal.sqlite3"
    # First run dies right after Kaltura created the caption asset; each later run re-checks the unknown
    # step (adopting what exists), completes it, and dies after Kaltura answered the next one.
    rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_call", "n": 1})
    assert rc == KILLED
    assert len(_marked(emulator, "caption_asset", task.id)) == 1
    for _ in range(len(plan.steps) - 2):
        rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_call", "n": 2})
        assert rc == KILLED
    # The last run: the task was set READY by the killed run but not journaled; it must see it is ours.
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_call", "n": 2})
    assert rc == KILLED and emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)
    rc, out = run_child(tmp_path, emulator, task, product, journal)
    assert rc == 0 and out["status"] == int(TaskStatus.READY), out
    _assert_exactly_once(emulator, plan, task.id)
    assert len(emulator.inspect.objects("caption_asset", entryId=task.entry_id)) == 1
    assert (
        emulator.inspect.task(task.id)["outputObjectId"]
        == _marked(emulator, "caption_asset", task.id)[0]["id"]
    )


def test_killed_in_the_middle_of_uploads_continues_the_same_token(
    emulator, conn, claimed, tmp_path, aac_tracks
):
    dub, clear = aac_tracks
    task = claimed(
        ServiceFeature.DUBBING, target="Japanese", flavorParamsId=200, clearAudioFlavorParamsId=201
    )
    product = WorkProduct(main_audio=dub, clear_audio=clear)
    journal = tmp_path / "journal.sqlite3"
    small_chunks = {"chunk_size": 4096, "poll_interval": 0.05}
    kills = 0
    for _ in range(6):
        rc, out = run_child(
            tmp_path,
            emulator,
            task,
            product,
            journal,
            kill={"when": "mid_upload", "n": 2},
            executor=small_chunks,
        )
        if rc != KILLED:
            break
        kills += 1
    else:
        rc, out = run_child(tmp_path, emulator, task, product, journal, executor=small_chunks)
    assert kills >= 2  # both uploads were interrupted at least once
    assert rc == 0 and out["status"] == int(TaskStatus.READY), out
    with sqlite3.connect(journal) as db:
        resumed = [
            r[0]
            for r in db.execute(
                "SELECT json_extract(result, '$.resumedFrom') FROM delivery_step WHERE step_key LIKE '%.upload'"
            )
        ]
    assert any(r and r > 0 for r in resumed)  # continued where the server was, not from zero
    flavors = {f["partnerData"]: f for f in _marked(emulator, "flavor_asset", task.id)}
    assert len(flavors) == 2
    assert emulator.inspect.content(flavors[marker(task.id, "dub.flavor.add")]["id"]) == dub.read_bytes()
    assert emulator.inspect.content(flavors[marker(task.id, "clear.flavor.add")]["id"]) == clear.read_bytes()
    tokens = emulator.inspect.objects("upload_token", partnerId=task.partner_id)
    assert len(tokens) == 2  # one token per file, reused across the kills
    plan = build_plan(task, product)
    _assert_exactly_once(emulator, plan, task.id)


def test_sign_language_and_chapters_killed_before_journaling_each_step(
    emulator, conn, claimed, tmp_path, sign_video
):
    """Child entries and cue points are found again by their marker (entries by name, cue points by entry)."""
    from reach_studio.domain.captions import Chapter

    cases = [
        (
            claimed(ServiceFeature.SIGN_LANGUAGE, target="English (BSL)", entry_name="Keynote"),
            WorkProduct(sign_video=sign_video),
        ),
        (
            claimed(ServiceFeature.CHAPTERING),
            WorkProduct(chapters=(Chapter(0, "Start"), Chapter(5000, "Middle"), Chapter(9000, "End"))),
        ),
    ]
    for i, (task, product) in enumerate(cases):
        journal = tmp_path / f"journal-{i}.sqlite3"
        plan = _plan(conn, task, product)
        rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_call", "n": 1})
        assert rc == KILLED
        for _ in range(len(plan.steps) - 1):
            rc, _ = run_child(tmp_path, emulator, task, product, journal, kill={"when": "after_call", "n": 2})
            assert rc == KILLED
        rc, out = run_child(tmp_path, emulator, task, product, journal)
        assert rc == 0 and out["status"] == int(TaskStatus.READY), out
        _assert_exactly_once(emulator, plan, task.id)
        t = emulator.inspect.task(task.id)
        assert t["status"] == int(TaskStatus.READY) and t["outputObjectId"] == out["output"]
    (child,) = _marked(emulator, "entry", cases[0][0].id)
    assert (
        child["name"] == "Keynote child signLangBSL"
        and child["adminTags"] == "signLang,signLangBSL,Acme Captioning"
    )
    assert len(emulator.inspect.objects("cue_point", entryId=cases[1][0].entry_id)) == 3
