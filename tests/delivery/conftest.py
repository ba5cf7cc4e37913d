"""Fixtures for delivery tests against the emulator: a task of a given feature, claimed; tiny media files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task
from tests.factories import ffmpeg, make_clip

CATALOG_TYPES = {
    ServiceFeature.CAPTIONS: "KalturaVendorCaptionsCatalogItem",
    ServiceFeature.TRANSLATION: "KalturaVendorTranslationCatalogItem",
    ServiceFeature.DUBBING: "KalturaVendorDubbingCatalogItem",
    ServiceFeature.AUDIO_DESCRIPTION: "KalturaVendorAudioDescriptionCatalogItem",
    ServiceFeature.EXTENDED_AUDIO_DESCRIPTION: "KalturaVendorExtendedAudioDescriptionCatalogItem",
    ServiceFeature.CHAPTERING: "KalturaVendorChapteringCatalogItem",
    ServiceFeature.SIGN_LANGUAGE: "KalturaVendorSignLanguageCatalogItem",
}
CUSTOMER = 101


def account_config(emu: Any):
    from reach_studio.kaltura.connection import AccountConfig

    return AccountConfig.from_emulator_info(emu.info)


@pytest.fixture
def emulator(emu):
    """Here the emulator is the minimal one (tests/conftest.py `emu`): each test orders the tasks it needs."""
    return emu


def order_task(
    emu: Any,
    feature: ServiceFeature,
    *,
    source: str = "English",
    target: str | None = None,
    output_format: int | None = None,
    metadata: bool = False,
    entry_tags: str = "",
    entry_admin_tags: str = "",
    entry_name: str = "Lecture 7",
    **item_fields: Any,
) -> int:
    """A customer orders a task: entry + catalog item + REACH profile in the emulator, then the task."""
    store = emu.store
    vendor = emu.info["vendorPartnerId"]
    entry = store.put(
        "entry",
        {
            "objectType": "KalturaMediaEntry",
            "id": store.next_id("entry"),
            "partnerId": CUSTOMER,
            "name": entry_name,
            "tags": entry_tags,
            "adminTags": entry_admin_tags,
            "status": "2",
            "type": "1",
            "mediaType": 1,
            "msDuration": 20000,
            "duration": 20,
            "createdAt": 1700000000,
            "updatedAt": 1700000000,
        },
    )
    item = store.put(
        "catalog_item",
        {
            "objectType": CATALOG_TYPES[feature],
            "id": store.next_id("catalog_item"),
            "vendorPartnerId": vendor,
            "name": f"{feature.label} item",
            "systemName": f"test-{int(feature)}",
            "status": 2,
            "serviceType": 1,
            "serviceFeature": int(feature),
            "turnAroundTime": 432000,
            "sourceLanguage": source,
            "targetLanguage": target,
            "outputFormat": output_format,
            "createdAt": 1700000000,
            "updatedAt": 1700000000,
            **item_fields,
        },
    )
    profile = store.put(
        "reach_profile",
        {
            "objectType": "KalturaReachProfile",
            "id": store.next_id("reach_profile"),
            "partnerId": CUSTOMER,
            "name": "Test profile",
            "status": 2,
            "profileType": 2,
            "enableMetadataExtraction": 1 if metadata else 0,
            "createdAt": 1700000000,
            "updatedAt": 1700000000,
        },
    )
    return emu.control.add_task(
        partnerId=CUSTOMER, entryId=entry["id"], catalogItemId=item["id"], reachProfileId=profile["id"]
    )


def claim(conn: Any, task_id: int, external: str = "acme-job-1") -> Task:
    from reach_studio.kaltura import reach_api

    pending = {t.id: t for t in reach_api.get_jobs(conn)}
    assert task_id in pending, f"task {task_id} is not pending for the vendor"
    return reach_api.claim(conn, pending[task_id], external)


@pytest.fixture
def claimed(emulator, conn) -> Callable[..., Task]:
    def make(feature: ServiceFeature, **kw: Any) -> Task:
        return claim(conn, order_task(emulator, feature, **kw))

    return make


# --- tiny media (generated once per test session) ------------------------------------------------


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("delivery-media")


@pytest.fixture(scope="session")
def aac_tracks(media_dir) -> tuple[Path, Path]:
    """Two 2-second MP4 files with AAC-LC audio at 64 and 128 kbps."""
    out = []
    for freq, kbps in ((440, 64), (660, 128)):
        path = media_dir / f"tone{freq}-{kbps}k.mp4"
        if not path.exists():
            ffmpeg(
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={freq}:sample_rate=48000:duration=2",
                "-c:a",
                "aac",
                "-profile:a",
                "aac_low",
                "-b:a",
                f"{kbps}k",
                "-movflags",
                "+faststart",
                str(path),
            )
        out.append(path)
    return out[0], out[1]


@pytest.fixture(scope="session")
def mp3_track(media_dir) -> Path:
    path = media_dir / "tone.mp3"
    if not path.exists():
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300:duration=1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            str(path),
        )
    return path


@pytest.fixture(scope="session")
def sign_video(media_dir) -> Path:
    path = media_dir / "sign.mp4"
    if not path.exists():
        make_clip(path, seconds=2, video="testsrc=size=160x120:rate=10", audio=None)
    return path


# --- the subprocess runner -----------------------------------------------------------------------


def run_child(
    tmp_path: Path,
    emu: Any,
    task: Task,
    product: Any,
    journal: Path,
    *,
    kill: dict | None = None,
    executor: dict | None = None,
    timeout: float = 120,
) -> tuple[int, dict | None]:
    """Run one delivery in a separate Python process; returns (returncode, parsed JSON line or None)."""
    from dataclasses import asdict

    from reach_studio.domain.task_mapping import task_to_dict
    from tests.delivery.child import product_to_json

    acct = asdict(account_config(emu))
    acct.pop("regions", None)
    spec = {
        "account": acct,
        "task": task_to_dict(task),
        "product": product_to_json(product),
        "journal": str(journal),
        "kill": kill,
        "executor": executor or {},
    }
    spec_path = tmp_path / "child-spec.json"
    spec_path.write_text(json.dumps(spec))
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.delivery.child", str(spec_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    try:
        parsed = json.loads(line) if line else None
    except json.JSONDecodeError:
        parsed = None
    if proc.returncode not in (0, -9) and parsed is None:
        raise AssertionError(f"child failed rc={proc.returncode}: {proc.stderr[-3000:]}")
    return proc.returncode, parsed
