"""Strings from the server as paths and as terminal text: an entryId of ".." must not let the media cache
touch other partners' media, and control characters must not forge rows in the `sync` table."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reach_studio.domain.enums import ContentDeletionPolicy, TaskStatus
from reach_studio.engine.media_fetch import MediaCache, MediaFetchError, fetch_task_media
from reach_studio.kaltura import reach_api
from tests.sync_args import account_args


def _hostile_task(emulator, conn, entry_id: str):
    """A PENDING task of the first customer on an entry whose id the server made hostile."""
    some = next(t for t in emulator.inspect.objects("task") if t["status"] == int(TaskStatus.PENDING))
    entry = dict(emulator.store.get("entry", some["entryId"]))
    entry["id"] = entry_id
    emulator.store.put("entry", entry)
    task_id = emulator.control.add_task(
        partnerId=some["partnerId"], entryId=entry_id,
        catalogItemId=some["catalogItemId"], reachProfileId=some["reachProfileId"],
    )  # fmt: skip
    light = next(t for t in reach_api.get_jobs(conn) if t.id == task_id)
    return reach_api.get_task(conn, light)


def _media(cache: MediaCache, task, partner_id: int, entry: str) -> os.PathLike:
    account = cache.task_dir(task.__class__(**{**task.__dict__, "entry_id": "0_probe"})).parent.parent
    path = account / str(partner_id) / entry / "0_flavor.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"someone else's media")
    return path


@pytest.mark.parametrize("entry_id", ["..", "."])
def test_dot_entry_ids_never_reach_other_partners_media(emulator, conn, entry_id):
    task = _hostile_task(emulator, conn, entry_id)
    cache = MediaCache()
    others = [
        _media(cache, task, task.partner_id, "0_other"),
        _media(cache, task, task.partner_id + 1, "0_x"),
    ]
    # the download is refused before anything is fetched or written
    with pytest.raises(MediaFetchError, match="entry id that cannot be used as a file name"):
        fetch_task_media(conn, reach_api.claim(conn, task, "ana", settle=0), cache=cache)
    # delivering with "delete once processed" (and the week policy) leaves everyone else's media alone
    if task.reach_profile is not None:
        task.reach_profile.content_deletion_policy = ContentDeletionPolicy.DELETE_ONCE_PROCESSED
    assert cache.delete_task_media(task) == []
    cache.after_delivery(task)
    assert all(p.exists() for p in others)
    assert cache.purge_due(now=1e12) == []


def test_control_characters_from_the_server_do_not_forge_sync_rows(emulator, conn, tmp_path):
    forged = "0_evil\r\n1  Forged customer  0_fake  Captions  en  human  1 min\x1b[2K\u202e"
    task = _hostile_task(emulator, conn, "0_plain")
    emulator.store.update("task", task.id, {"entryId": forged})
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "REACH_STUDIO_HOME": str(tmp_path / "home"),
        "DEMO_TOKEN": emulator.info["appToken"],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "reach_studio", "sync", "--once", "--service-types", "all",
         *account_args(emulator.info, "DEMO_TOKEN")],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout and "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if "0_evil" in line or "Forged" in line]
    assert len(rows) == 1, proc.stdout  # one task, one row: the forged row is text inside it
    # the XML answer turns CR LF into LF and cannot carry ESC; what arrives is shown, escaped
    assert "0_evil\\n1  Forged customer" in rows[0] and "\\u202e" in rows[0]
