"""Media cache: size cap (least recently used out), deletion policies, manifest URL narrowing."""

from __future__ import annotations

import os

from reach_studio.domain.enums import ContentDeletionPolicy, TaskStatus
from reach_studio.domain.flavor_choice import FlavorInfo
from reach_studio.domain.task import ReachProfile, Task
from reach_studio.engine.media_fetch import MediaCache, narrow_to_flavor


def mk(tid, entry, policy=None):
    return Task(
        id=tid,
        partner_id=101,
        vendor_partner_id=1,
        entry_id=entry,
        status=TaskStatus.PROCESSING,
        catalog_item_id=1,
        reach_profile_id=1,
        account="acct",
        reach_profile=ReachProfile(id=1, content_deletion_policy=policy),
    )


def put(cache, task, fid, size, mtime):
    path = cache.path_for(task, FlavorInfo(id=fid, flavor_params_id=301, width=320, height=180))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (mtime, mtime))
    return path


def test_cap_removes_least_recently_used_but_never_kept(tmp_path):
    cache = MediaCache(tmp_path / "media", cap_bytes=2500)
    old = put(cache, mk(1, "0_a"), "0_f1", 1000, 100)
    mid = put(cache, mk(2, "0_b"), "0_f2", 1000, 200)
    new = put(cache, mk(3, "0_c"), "0_f3", 1000, 300)
    assert cache.enforce_cap(keep={new}) == [old]
    assert not old.exists() and mid.exists() and new.exists()
    cache.cap_bytes = 500
    assert cache.enforce_cap(keep={new}) == [mid]
    assert new.exists()  # the file just fetched stays even over the cap


def test_delete_once_processed_removes_task_media_at_once(tmp_path):
    cache = MediaCache(tmp_path / "media")
    task = mk(1, "0_a", ContentDeletionPolicy.DELETE_ONCE_PROCESSED)
    path = put(cache, task, "0_f1", 10, 100)
    other = put(cache, mk(2, "0_b", ContentDeletionPolicy.DELETE_ONCE_PROCESSED), "0_f2", 10, 100)
    assert cache.after_delivery(task) == [path]
    assert not path.exists() and other.exists()


def test_delete_after_week_is_scheduled_then_purged(tmp_path):
    cache = MediaCache(tmp_path / "media")
    task = mk(1, "0_a", ContentDeletionPolicy.DELETE_AFTER_WEEK)
    path = put(cache, task, "0_f1", 10, 100)
    assert cache.after_delivery(task, now=1000) == []
    assert cache.purge_due(now=1000 + 6 * 86400) == [] and path.exists()
    assert cache.purge_due(now=1000 + 7 * 86400) == [path] and not path.exists()


def test_do_nothing_keeps_media(tmp_path):
    cache = MediaCache(tmp_path / "media")
    task = mk(1, "0_a", ContentDeletionPolicy.DO_NOTHING)
    path = put(cache, task, "0_f1", 10, 100)
    assert cache.after_delivery(task) == [] and cache.purge_due(now=10**12) == [] and path.exists()


def test_default_root_is_under_cache_dir():
    assert "reach-studio-home" in str(MediaCache().root)


def test_narrow_manifest_to_one_flavor():
    base = "http://h/p/1/sp/100/playManifest/entryId/0_e/flavorIds/0_a,0_b/deliveryProfileId/1/format/applehttp/a.m3u8"
    assert "/flavorIds/0_b/deliveryProfileId" in narrow_to_flavor(base, "0_b")
    plain = "http://h/p/1/sp/100/playManifest/entryId/0_e/format/url/name/a.mp4"
    assert (
        narrow_to_flavor(plain, "0_x")
        == "http://h/p/1/sp/100/playManifest/entryId/0_e/flavorIds/0_x/format/url/name/a.mp4"
    )
