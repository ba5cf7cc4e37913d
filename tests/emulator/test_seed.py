"""The demo seed, restarts with the same data folder, the long benchmark entry and the `reach-studio emulator` CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from KalturaClient.Plugins.Reach import KalturaEntryVendorTask, KalturaEntryVendorTaskStatus

from reach_studio.domain.enums import TaskStatus
from reach_studio.emulator import seed
from reach_studio.emulator.server import Emulator, EmulatorError

from .clients import app_token_session, new_client, vendor_client

FEATURES = {
    "captions": 1,
    "translation": 2,
    "audio description": 4,
    "chaptering": 5,
    "dubbing": 7,
    "live caption": 8,
    "extended audio description": 9,
    "sign language": 19,
}


def test_demo_seed_has_partners_vendor_and_app_token(emulator):
    info = emulator.info
    assert info["vendorName"] == "Acme Captioning"
    assert len(info["customers"]) >= 3
    assert info["appTokenId"] and info["appToken"] and info["adminSecret"]
    assert app_token_session(emulator).partnerId == info["vendorPartnerId"]


def test_demo_seed_has_a_pending_task_of_every_feature(emulator):
    pending = emulator.inspect.objects("task", status=TaskStatus.PENDING)
    features = {t["serviceFeature"] for t in pending}
    for name, feature in FEATURES.items():
        assert feature in features, name
    captions = {t["serviceType"] for t in pending if t["serviceFeature"] == 1}
    assert captions >= {1, 2}  # human and machine
    # translation with and without requireSource; the sourced ones point at human and machine captions
    translations = [t for t in pending if t["serviceFeature"] == 2]
    require = {emulator.store.get("catalog_item", t["catalogItemId"])["requireSource"] for t in translations}
    assert require == {True, False}
    source_accuracy = {
        emulator.store.get("caption_asset", t["taskJobData"]["captionAssetId"])["accuracy"]
        for t in translations
        if (t.get("taskJobData") or {}).get("captionAssetId")
    }
    assert source_accuracy == {100, 80}
    # live: a schedule event with the REACH feature, and a task already SCHEDULED
    live = [t for t in emulator.inspect.objects("task") if t["serviceFeature"] == 8]
    assert {t["status"] for t in live} == {1, 9}
    for task in live:
        job = task["taskJobData"]
        assert job["objectType"] == "KalturaScheduledVendorTaskData" and job["startDate"] < job["endDate"]
        event = emulator.store.get("schedule_event", job["scheduledEventId"])
        assert event["objectType"] == "KalturaLiveStreamScheduleEvent"
        assert f"LiveCaptionFeature-reach-{task['id']}" in {f["systemName"] for f in event["liveFeatures"]}
    sign = next(t for t in pending if t["serviceFeature"] == 19)
    # kSignLanguageVendorTaskData is never answered (KalturaVendorTaskData::getInstance): kept aside
    assert sign["taskJobData"] is None
    assert emulator.store.get("flavor_asset", sign["_taskJobData"]["assetId"])["entryId"] == sign["entryId"]


def test_demo_queue_is_skewed_and_spread_in_time(emulator):
    pending = emulator.inspect.objects("task", status=TaskStatus.PENDING)
    per_customer = Counter(t["partnerId"] for t in pending)
    _busiest, count = per_customer.most_common(1)[0]
    assert len(per_customer) >= 3
    assert count >= 2 * min(per_customer.values())
    finishes = sorted(t["expectedFinishTime"] for t in pending)
    assert finishes[-1] - finishes[0] > 3 * 86400
    assert any(t["notes"] for t in pending) and any(t["dictionary"] for t in pending)


def test_demo_profiles_cover_the_guide_flags(emulator):
    profiles = emulator.inspect.objects("reach_profile")
    assert {p["flavorParamsIds"] for p in profiles} >= {"301,302", "999,303,301", None}
    assert {p["maxCharactersPerCaptionLine"] for p in profiles} >= {26, 32}
    assert {p["vendorTaskProcessingRegion"] for p in profiles} == {1, 2, 3}
    assert len({p["contentDeletionPolicy"] for p in profiles}) >= 3
    for flag in (
        "enableProfanityRemoval",
        "enableSpeakerChangeIndication",
        "enableAudioTags",
        "enableMetadataExtraction",
    ):
        assert {p[flag] for p in profiles} == {0, 1}, flag
    assert any(p["dictionaries"] for p in profiles)
    items = {i["objectType"] for i in emulator.inspect.objects("catalog_item")}
    assert items >= {
        "KalturaVendorCaptionsCatalogItem",
        "KalturaVendorTranslationCatalogItem",
        "KalturaVendorDubbingCatalogItem",
        "KalturaVendorAudioDescriptionCatalogItem",
        "KalturaVendorExtendedAudioDescriptionCatalogItem",
        "KalturaVendorChapteringCatalogItem",
        "KalturaVendorLiveCaptionCatalogItem",
        "KalturaVendorSignLanguageCatalogItem",
    }


def test_demo_entries_have_real_media_some_audio_only_some_without_hls(emulator):
    entries = [e for e in emulator.inspect.objects("entry") if e["type"] == "1"]
    assert {e["mediaType"] for e in entries} == {1, 5}
    assert {e["_hls"] for e in entries} == {True, False}
    for entry in entries:
        flavors = emulator.inspect.objects("flavor_asset", entryId=entry["id"])
        params = {f["flavorParamsId"] for f in flavors}
        assert params == ({0, 301, 302, 303} if entry["mediaType"] == 1 else {0, 303})
        for flavor in flavors:
            assert Path(flavor["_path"]).stat().st_size == flavor["sizeInBytes"] > 0
        assert 15000 <= entry["msDuration"] <= 25000


def test_ids_do_not_depend_on_the_clock_or_the_run(tmp_path, emulator_media_cache):
    def ids(folder):
        with Emulator(folder, media_cache=emulator_media_cache) as emu:
            return (
                [t["id"] for t in emu.inspect.objects("task")],
                [e["id"] for e in emu.inspect.objects("entry")],
                [c["id"] for c in emu.inspect.objects("caption_asset")],
            )

    assert ids(tmp_path / "a") == ids(tmp_path / "b")


def test_restart_with_the_same_data_keeps_everything(tmp_path, emulator_media_cache):
    data = tmp_path / "data"
    with Emulator(data, media_cache=emulator_media_cache) as emu:
        info = emu.info
        task = emu.inspect.objects("task", status=TaskStatus.PENDING)[0]
        vendor_client(emu).reach.entryVendorTask.updateJob(
            task["id"], KalturaEntryVendorTask(status=KalturaEntryVendorTaskStatus(3))
        )
        count = len(emu.inspect.objects("task"))
    with Emulator(data, media_cache=emulator_media_cache) as emu:
        assert emu.info["appToken"] == info["appToken"] and emu.info["adminSecret"] == info["adminSecret"]
        assert len(emu.inspect.objects("task")) == count  # not seeded twice
        assert emu.inspect.task(task["id"])["status"] == 3
        assert [h["status"] for h in emu.inspect.status_history(task["id"])] == [1, 3]
        # the old access key is still valid: same secrets
        assert new_client(emu, task["accessKey"]).reach.entryVendorTask.get(task["id"]).status.getValue() == 3
        assert vendor_client(emu).reach.entryVendorTask.extendAccessKey(task["id"]).id == task["id"]


def test_long_entry_for_benchmarks(emulator):
    made = seed.add_long_entry(emulator, 6.0, video=False)  # short here; the CLI makes 3600 s
    entry, task = made["entry"], made["task"]
    assert entry["mediaType"] == 5 and 5000 <= entry["msDuration"] <= 7000
    assert task["status"] == 1 and task["entryId"] == entry["id"]
    assert task["id"] in {t["id"] for t in emulator.inspect.objects("task", status=TaskStatus.PENDING)}
    with pytest.raises(seed.SeedError):
        seed.add_long_entry(emulator, 0)


def test_bad_seed_name_and_bad_data_folder_are_clear_errors(tmp_path):
    with pytest.raises(EmulatorError, match="unknown seed"):
        Emulator(tmp_path / "x", seed="nope").start()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(EmulatorError, match="cannot use emulator data folder"):
        Emulator(blocker / "data").start()


def test_cli_prints_one_json_line_and_stops_on_sigterm(tmp_path, emulator_media_cache):
    env = dict(os.environ, REACH_STUDIO_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reach_studio",
            "emulator",
            "--data",
            str(tmp_path / "data"),
            "--media-cache",
            str(emulator_media_cache),
            "--access-key-ttl",
            "600",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    timer = threading.Timer(120, proc.kill)
    timer.start()
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert info["serviceUrl"].startswith("http://127.0.0.1:")
        assert info["vendorName"] == "Acme Captioning" and len(info["partnerIds"]) >= 3

        class Emu:  # what the client helpers need
            url = info["serviceUrl"]

        Emu.info = info
        jobs = new_client(Emu, app_token_session(Emu).ks).reach.entryVendorTask.getJobs()
        assert jobs.totalCount > 0
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert out.strip() == ""  # exactly one line on stdout
    assert info["appToken"] not in err and info["adminSecret"] not in err  # secrets never logged
